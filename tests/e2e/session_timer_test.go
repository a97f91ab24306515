package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/webphone/exotelsdk/tests/farend"
)

// Session timers (RFC 4028) through Kamailio, with sessionExpires 90 (the
// minimum) and two Go far ends that never refresh on their own:
//   - bob asks for timers (Supported: timer, Session-Expires: 90), so the page
//     makes him the refresher; he never refreshes, and shortly before the
//     interval runs out the page hangs up with a BYE (callEndCause 'network');
//   - carol asks for none, so the page refreshes (refresher=uas) at half the
//     interval: an UPDATE or re-INVITE with Session-Expires on the wire.
//
// Both run at once (maxCalls 2), so the test takes about one interval.
func TestSessionTimersRefreshOnTheWireAndEndACallNobodyRefreshes(t *testing.T) {
	f := newManyCallsFixture(t, map[string]any{"maxCalls": 2, "sessionExpires": 90})
	bobCall, err := f.bob.Dial(f.ctx, "alice", farend.CallOptions{Headers: map[string]string{
		"Supported": "timer", "Session-Expires": "90"}})
	require.NoError(t, err)
	f.waitCall(t, "incoming")
	f.page.Eval(t, `(window.bobCall = harness.clients.alice.getCall()).Answer()`, nil)
	require.NoError(t, bobCall.WaitStatus(f.ctx, 200))
	answered := time.Now()
	assert.Equal(t, "90;refresher=uac", header(okOf(t, bobCall), "Session-Expires"), "the caller that supports timers refreshes")
	assert.Equal(t, "timer", header(okOf(t, bobCall), "Require"))

	carolCall, err := f.carol.Dial(f.ctx, "alice", farend.CallOptions{})
	require.NoError(t, err)
	f.waitCount(t, "incoming", 2)
	var carolID string
	f.page.Eval(t, `harness.clients.alice.getCalls().find(c => c.callState === 'incoming').callId`, &carolID)
	f.byID(t, carolID, `c.Answer()`, nil)
	require.NoError(t, carolCall.WaitStatus(f.ctx, 200))
	assert.Equal(t, "90;refresher=uas", header(okOf(t, carolCall), "Session-Expires"), "without timers at the caller, the page refreshes")

	// carol gets the page's refresh at half the interval (45 s).
	var refresh string
	require.Eventually(t, func() bool {
		for _, r := range carolCall.ReceivedRequests() {
			if (r.Method == "UPDATE" || r.Method == "INVITE") && header(r, "Session-Expires") != "" {
				refresh = string(r.Method) + " " + header(r, "Session-Expires")
				return true
			}
		}
		return false
	}, 70*time.Second, 200*time.Millisecond, "the page refreshes carol's session")
	assert.Contains(t, []string{"UPDATE 90;refresher=uac", "INVITE 90;refresher=uac"}, refresh)

	// bob never refreshed: the page ends his call with a BYE.
	reason, err := bobCall.WaitEnded(f.ctx)
	require.NoError(t, err)
	assert.Equal(t, "remote BYE", reason)
	took := time.Since(answered)
	t.Logf("bob's unrefreshed call ended %s after the answer (60 s after the last refresh, by RFC 4028 §10); carol's refresh: %s", took.Round(time.Second), refresh)
	assert.Greater(t, took, 55*time.Second, "not before the interval's end is near")
	f.page.WaitUntil(t, `window.bobCall.callDetails().callState === 'terminated'`, 5*time.Second)
	var cause string
	f.page.Eval(t, `window.bobCall.callDetails().callEndCause`, &cause)
	assert.Equal(t, "network", cause)
	assert.False(t, carolCall.Ended(), "carol's refreshed call goes on")
	requireNoExceptions(t, f.page)
}

// header is the first value of a SIP header of a far end's message.
func header(m sip.Message, name string) string {
	if hs := m.GetHeaders(name); len(hs) > 0 {
		return strings.TrimSpace(hs[0].Value())
	}
	return ""
}

// okOf is the 200 OK a far end's outgoing call received.
func okOf(t *testing.T, call *farend.Call) *sip.Response {
	t.Helper()
	for _, r := range call.Responses() {
		if r.StatusCode == 200 {
			return r
		}
	}
	t.Fatal("no 200 OK received")
	return nil
}
