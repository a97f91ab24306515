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

// wireHeader is the value of a request's first header called name, or "".
func wireHeader(req *sip.Request, name string) string {
	if h := req.GetHeader(name); h != nil {
		return h.Value()
	}
	return ""
}

// The Go far end sees the transfer messages on the wire, after Kamailio.
// Bob (far end) calls alice; alice's Transfer gets 501 from bob: the REFER
// carried Refer-To, Referred-By and Contact, alice hears transferFailed and
// bob still hears her. Then bob transfers alice to carol: 202, NOTIFYs
// with message/sipfrag 100 and 200, carol's INVITE carries bob's
// Referred-By, and bob's BYE ends alice's old call 'transferred'.
func TestTransferOnTheWire(t *testing.T) {
	f := newCallFixture(t, nil)
	bobCall := answered(t, f)

	var ok bool
	f.page.Eval(t, `harness.clients.alice.getCall().Transfer('carol')`, &ok)
	assert.False(t, ok, "bob refuses the REFER (501)")
	refer, err := bobCall.WaitRequest(f.ctx, "REFER")
	require.NoError(t, err)
	assert.Equal(t, "<sip:carol@"+f.srv.Domain+">", wireHeader(refer, "Refer-To"))
	assert.Equal(t, "<sip:alice@"+f.srv.Domain+">", wireHeader(refer, "Referred-By"))
	assert.NotNil(t, refer.Contact(), "REFER carries a Contact")
	f.waitCall(t, "transferFailed")
	assert.Equal(t, []string{"incoming", "connected", "transferFailed"}, f.callEvents(t))
	farLevelEventually(t, bobCall, func(l float64) bool { return l > -50 }, "alice's tone, still")

	f.page.Eval(t, `window.old = harness.clients.alice.getCall(), true`, nil)
	carol := farend.New(t, farend.Config{User: "carol", Domain: f.srv.Domain, Server: f.srv.UDPAddr})
	res, err := bobCall.SendRequest(f.ctx, "REFER", "", nil, map[string]string{
		"Refer-To": "<sip:carol@" + f.srv.Domain + ">", "Referred-By": "<" + f.bob.URI() + ">"})
	require.NoError(t, err)
	assert.Equal(t, 202, res.StatusCode)
	in, err := carol.WaitIncoming(f.ctx)
	require.NoError(t, err)
	assert.Equal(t, "<"+f.bob.URI()+">", wireHeader(in.Request(), "Referred-By"))
	require.NoError(t, in.Answer(f.ctx))
	f.page.WaitUntil(t, `harness.clients.alice.getCalls().some(c => c.remoteId === 'carol' && c.callState === 'connected')`, 20*time.Second)

	var notifies []*sip.Request
	require.Eventually(t, func() bool {
		notifies = notifies[:0]
		for _, r := range bobCall.ReceivedRequests() {
			if r.Method == sip.NOTIFY {
				notifies = append(notifies, r)
			}
		}
		return len(notifies) > 0 && strings.HasPrefix(string(notifies[len(notifies)-1].Body()), "SIP/2.0 200")
	}, 10*time.Second, 50*time.Millisecond, "alice NOTIFYs bob of carol's 200")
	first, final := notifies[0], notifies[len(notifies)-1]
	assert.Equal(t, "SIP/2.0 100 Trying\r\n", string(first.Body()))
	assert.Equal(t, "active;expires=60", wireHeader(first, "Subscription-State"))
	assert.Equal(t, "message/sipfrag;version=2.0", wireHeader(first, "Content-Type"))
	assert.True(t, strings.HasPrefix(wireHeader(first, "Event"), "refer"), wireHeader(first, "Event"))
	assert.Equal(t, "terminated;reason=noresource", wireHeader(final, "Subscription-State"))

	require.NoError(t, bobCall.Hangup(f.ctx))
	f.page.WaitUntil(t, `harness.clients.alice.getCalls().length === 1`, 10*time.Second)
	var cause, referredBy string
	f.page.Eval(t, `old.callDetails().callEndCause`, &cause)
	assert.Equal(t, "transferred", cause, "bob's BYE after the transfer")
	f.page.Eval(t, `harness.clients.alice.getCalls()[0].callDetails().referredBy`, &referredBy)
	assert.Equal(t, f.bob.URI(), referredBy, "the new call's referredBy")
	requireNoExceptions(t, f.page)
}
