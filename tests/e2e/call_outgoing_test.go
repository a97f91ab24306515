package e2e

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMakeCallAnsweredByFarEnd(t *testing.T) {
	f := newCallFixture(t, nil)
	var ok bool
	f.page.Eval(t, `harness.clients.alice.MakeCall('bob', {headers: {'X-App-Ref': 'ticket-42'}})`, &ok)
	require.True(t, ok)
	inc, err := f.bob.WaitIncoming(f.ctx)
	require.NoError(t, err)
	assert.Equal(t, "ticket-42", inc.Request().GetHeader("X-App-Ref").Value())
	assert.Contains(t, string(inc.Request().Body()), "m=audio")
	require.NoError(t, inc.Ring())
	f.waitCall(t, "ringing")
	var obj map[string]any
	f.page.Eval(t, `(() => { const c = harness.clients.alice.getCall(); return {dir: c.callDirection, remoteId: c.remoteId, state: c.callState}; })()`, &obj)
	assert.Equal(t, map[string]any{"dir": "outgoing", "remoteId": "bob", "state": "ringing"}, obj)

	require.NoError(t, inc.Answer(f.ctx))
	f.waitCall(t, "connected")
	require.NoError(t, inc.WaitMedia(f.ctx))
	farLevelEventually(t, inc, func(l float64) bool { return l > -45 }, "loud")
	require.NoError(t, inc.PlayTone(440))
	require.Eventually(t, func() bool { return f.level(t, 400) > 0.05 }, 10*time.Second, 100*time.Millisecond, "the page hears the far end")

	f.page.Eval(t, `harness.clients.alice.getCall().Hangup()`, nil)
	f.waitCall(t, "callEnded")
	_, err = inc.WaitEnded(f.ctx)
	require.NoError(t, err)
	assert.Equal(t, []string{"ringing", "connected", "callEnded"}, f.callEvents(t))
	requireNoExceptions(t, f.page)
}

func TestMakeCallCanceledWhileRinging(t *testing.T) {
	f := newCallFixture(t, nil)
	f.page.Eval(t, `harness.clients.alice.MakeCall('bob')`, nil)
	inc, err := f.bob.WaitIncoming(f.ctx)
	require.NoError(t, err)
	require.NoError(t, inc.Ring())
	f.waitCall(t, "ringing")
	f.page.Eval(t, `harness.clients.alice.getCall().Hangup()`, nil)
	f.waitCall(t, "callEnded")
	reason, err := inc.WaitEnded(f.ctx)
	require.NoError(t, err)
	assert.Contains(t, reason, "CANCEL")
	assert.Equal(t, []string{"ringing", "callEnded"}, f.callEvents(t))
	requireNoExceptions(t, f.page)
}

func TestMakeCallRejected(t *testing.T) {
	f := newCallFixture(t, nil)
	f.page.Eval(t, `harness.recorder('dummy'); harness.clients.alice.MakeCall('bob')`, nil)
	inc, err := f.bob.WaitIncoming(f.ctx)
	require.NoError(t, err)
	require.NoError(t, inc.Reject(486))
	f.waitCall(t, "callEnded")
	var reason string
	f.page.Eval(t, `harness.lastCall('alice').callDetails().callEndReason`, &reason)
	assert.Equal(t, "486 Busy Here", reason)
	requireNoExceptions(t, f.page)
}

func TestMakeCallToUnknownUser(t *testing.T) {
	f := newCallFixture(t, nil)
	f.page.Eval(t, `harness.clients.alice.MakeCall('nobody')`, nil)
	f.waitCall(t, "callEnded")
	var reason string
	f.page.Eval(t, `harness.lastCall('alice').callDetails().callEndReason`, &reason)
	assert.Contains(t, reason, "404")
	var ok bool
	f.page.Eval(t, `harness.clients.alice.MakeCall('')`, &ok)
	assert.False(t, ok, "an empty destination is refused")
	requireNoExceptions(t, f.page)
}

// A 183 with SDP gives early media: the page hears the far end before the
// answer and plays no ringback; the 200 then connects the same media.
func TestMakeCallWithEarlyMedia(t *testing.T) {
	f := newCallFixture(t, nil)
	f.page.Eval(t, `harness.clients.alice.MakeCall('bob')`, nil)
	inc, err := f.bob.WaitIncoming(f.ctx)
	require.NoError(t, err)
	require.NoError(t, inc.EarlyMedia(f.ctx))
	f.waitCall(t, "ringing")
	require.NoError(t, inc.WaitMedia(f.ctx))
	require.NoError(t, inc.PlayTone(440))
	require.Eventually(t, func() bool { return f.level(t, 400) > 0.05 }, 10*time.Second, 100*time.Millisecond,
		"the page hears early media before the answer")
	var state string
	f.page.Eval(t, `harness.clients.alice.getCall().callState`, &state)
	assert.Equal(t, "ringing", state)
	require.NoError(t, inc.Answer(f.ctx))
	f.waitCall(t, "connected")
	require.Eventually(t, func() bool { return f.level(t, 400) > 0.05 }, 10*time.Second, 100*time.Millisecond)
	farLevelEventually(t, inc, func(l float64) bool { return l > -45 }, "loud")
	f.page.Eval(t, `harness.clients.alice.getCall().Hangup()`, nil)
	_, err = inc.WaitEnded(f.ctx)
	require.NoError(t, err)
	assert.Equal(t, []string{"ringing", "connected", "callEnded"}, f.callEvents(t))
	requireNoExceptions(t, f.page)
}
