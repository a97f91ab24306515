package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/webphone/exotelsdk/tests/farend"
)

// A Go far end calls the page: the app sees incoming with the guide's
// properties, answers, audio flows both ways (measured), mute silences the
// microphone, hold and resume re-INVITE, DTMF arrives as INFO, and the
// app's hangup reaches the far end as BYE.
func TestIncomingCallFullFlow(t *testing.T) {
	f := newCallFixture(t, nil)
	call, err := f.bob.Dial(f.ctx, "alice", farend.CallOptions{Headers: map[string]string{"X-Exotel-Callsid": "CS-123"}})
	require.NoError(t, err)
	f.waitCall(t, "incoming")
	require.NoError(t, call.WaitStatus(f.ctx, 180), "the far end hears ringing")

	var obj map[string]any
	f.page.Eval(t, `(() => { const c = harness.clients.alice.getCall(); return {callId: c.callId, callDirection: c.callDirection, remoteId: c.remoteId, remoteDisplayName: c.remoteDisplayName, callState: c.callState, started: c.callStartedTime instanceof Date}; })()`, &obj)
	assert.Equal(t, call.CallID(), obj["callId"])
	assert.Equal(t, "incoming", obj["callDirection"])
	assert.Equal(t, "bob", obj["remoteId"])
	assert.Equal(t, "Bob", obj["remoteDisplayName"])
	assert.Equal(t, "incoming", obj["callState"])
	assert.Equal(t, true, obj["started"])
	var details map[string]any
	f.page.Eval(t, `harness.clients.alice.getCall().callDetails()`, &details)
	assert.Equal(t, "CS-123", details["callSid"])
	assert.Equal(t, "CS-123", details["sipHeaders"].(map[string]any)["X-Exotel-Callsid"])

	var answered bool
	f.page.Eval(t, `harness.clients.alice.getCall().Answer()`, &answered)
	require.True(t, answered)
	f.waitCall(t, "connected")
	require.NoError(t, call.WaitStatus(f.ctx, 200))
	require.NoError(t, call.WaitMedia(f.ctx))

	// The browser's microphone (a 1 kHz tone) reaches the far end.
	farLevelEventually(t, call, func(l float64) bool { return l > -45 }, "loud")
	// Mute turns it to silence, UnMute brings it back.
	f.page.Eval(t, `harness.clients.alice.getCall().Mute()`, nil)
	farLevelEventually(t, call, func(l float64) bool { return l < -70 }, "silent while muted")
	f.page.Eval(t, `harness.clients.alice.getCall().UnMute()`, nil)
	farLevelEventually(t, call, func(l float64) bool { return l > -45 }, "loud after unmute")

	// The far end's tone reaches the page.
	require.NoError(t, call.PlayTone(440))
	require.Eventually(t, func() bool { return f.level(t, 400) > 0.05 }, 10*time.Second, 100*time.Millisecond, "the page hears the far end")

	// Hold and resume: re-INVITEs with sendonly then sendrecv.
	var held bool
	f.page.Eval(t, `harness.clients.alice.getCall().Hold()`, &held)
	require.True(t, held)
	reinvite, err := call.WaitRequest(f.ctx, "INVITE")
	require.NoError(t, err)
	assert.Equal(t, "sendonly", direction(string(reinvite.Body())))
	var isOnHold bool
	f.page.Eval(t, `harness.clients.alice.getCall().callDetails().isOnHold`, &isOnHold)
	assert.True(t, isOnHold)
	f.page.Eval(t, `harness.clients.alice.getCall().UnHold()`, &held)
	require.True(t, held)
	require.Eventually(t, func() bool {
		n := 0
		for _, r := range call.ReceivedRequests() {
			if r.Method == "INVITE" {
				n++
				if n == 2 {
					return direction(string(r.Body())) == "sendrecv"
				}
			}
		}
		return false
	}, 5*time.Second, 50*time.Millisecond, "UnHold re-INVITE with sendrecv")
	farLevelEventually(t, call, func(l float64) bool { return l > -45 }, "loud after resume")

	// DTMF by SIP INFO (the default).
	for _, d := range []string{"1", "#", "9"} {
		var ok bool
		f.page.Eval(t, `harness.clients.alice.getCall().sendDTMF('`+d+`')`, &ok)
		require.True(t, ok)
	}
	var bad bool
	f.page.Eval(t, `harness.clients.alice.getCall().sendDTMF('x')`, &bad)
	assert.False(t, bad, "a bad digit is refused")
	require.Eventually(t, func() bool { return len(infoSignals(call)) == 3 }, 5*time.Second, 50*time.Millisecond)
	assert.Equal(t, []string{"1", "#", "9"}, infoSignals(call))

	var stats map[string]any
	f.page.Eval(t, `harness.clients.alice.getCall().getStatistics()`, &stats)
	assert.Equal(t, "PCMU", stats["codec"])
	assert.Greater(t, stats["packetsSent"], 10.0)
	assert.Greater(t, stats["packetsReceived"], 10.0)

	f.page.Eval(t, `harness.clients.alice.getCall().Hangup()`, nil)
	f.waitCall(t, "callEnded")
	_, err = call.WaitEnded(f.ctx)
	require.NoError(t, err)
	assert.Equal(t, []string{"incoming", "connected", "callEnded"}, f.callEvents(t))
	var none bool
	f.page.Eval(t, `harness.clients.alice.getCall() === null`, &none)
	assert.True(t, none, "getCall() is null after the call")
	requireNoExceptions(t, f.page)
}

// infoSignals lists the digits of the DTMF INFO requests the far end got.
func infoSignals(call *farend.Call) []string {
	var out []string
	for _, r := range call.ReceivedRequests() {
		if r.Method != "INFO" {
			continue
		}
		for _, line := range strings.Split(string(r.Body()), "\n") {
			if v, ok := strings.CutPrefix(strings.TrimSpace(line), "Signal="); ok {
				out = append(out, v)
			}
		}
	}
	return out
}
