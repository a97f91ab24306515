package e2e

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/webphone/exotelsdk/tests/farend"
)

// answered sets up an incoming call from bob that alice has answered.
func answered(t *testing.T, f *callFixture) *farend.Call {
	t.Helper()
	call, err := f.bob.Dial(f.ctx, "alice", farend.CallOptions{})
	require.NoError(t, err)
	f.waitCall(t, "incoming")
	f.page.Eval(t, `harness.clients.alice.getCall().Answer()`, nil)
	f.waitCall(t, "connected")
	require.NoError(t, call.WaitStatus(f.ctx, 200))
	require.NoError(t, call.WaitMedia(f.ctx))
	return call
}

func TestFarEndHangupTerminates(t *testing.T) {
	f := newCallFixture(t, nil)
	call := answered(t, f)
	require.NoError(t, call.Hangup(f.ctx))
	f.waitCall(t, "terminated")
	assert.Equal(t, []string{"incoming", "connected", "terminated"}, f.callEvents(t))
	var reason string
	f.page.Eval(t, `harness.events.filter(e => e.kind === 'call:alice').length`, nil)
	f.page.Eval(t, `harness.clients.alice.getCall() === null ? 'gone' : 'still there'`, &reason)
	assert.Equal(t, "gone", reason)
	requireNoExceptions(t, f.page)
}

func TestCallerCancelTerminates(t *testing.T) {
	f := newCallFixture(t, nil)
	call, err := f.bob.Dial(f.ctx, "alice", farend.CallOptions{})
	require.NoError(t, err)
	f.waitCall(t, "incoming")
	require.NoError(t, call.Cancel(f.ctx))
	f.waitCall(t, "missed")
	code, err := call.WaitFinal(f.ctx)
	require.NoError(t, err)
	assert.Equal(t, 487, code)
	assert.Equal(t, []string{"incoming", "terminated", "missed"}, f.callEvents(t), "missed (ext) follows terminated")
	requireNoExceptions(t, f.page)
}

func TestRejectAnswers486(t *testing.T) {
	f := newCallFixture(t, nil)
	call, err := f.bob.Dial(f.ctx, "alice", farend.CallOptions{})
	require.NoError(t, err)
	f.waitCall(t, "incoming")
	f.page.Eval(t, `harness.clients.alice.getCall().Hangup()`, nil)
	f.waitCall(t, "callEnded")
	code, err := call.WaitFinal(f.ctx)
	require.NoError(t, err)
	assert.Equal(t, 486, code)
	requireNoExceptions(t, f.page)
}

// A second INVITE while a call is up is answered 486; the first call goes on.
func TestSecondCallIsBusy(t *testing.T) {
	f := newCallFixture(t, nil)
	first := answered(t, f)
	carol := farend.New(t, farend.Config{User: "carol", Domain: f.srv.Domain, Server: f.srv.UDPAddr})
	second, err := carol.Call(f.ctx, "alice", farend.CallOptions{})
	require.NoError(t, err)
	assert.Equal(t, 486, second.Status())
	assert.Equal(t, []string{"incoming", "connected"}, f.callEvents(t), "the app does not hear the second call")
	farLevelEventually(t, first, func(l float64) bool { return l > -45 }, "still loud on the first call")
	requireNoExceptions(t, f.page)
}

// DTMF through RTCDTMFSender (RFC 4733) when the app asks for it.
func TestDTMFRFC4733(t *testing.T) {
	f := newCallFixture(t, map[string]string{"dtmfMode": "rfc4733"})
	call := answered(t, f)
	// Pressed back to back: RTCDTMFSender must queue them, not replace them.
	var ok bool
	f.page.Eval(t, `['4', '2', '*'].every(d => harness.clients.alice.getCall().sendDTMF(d))`, &ok)
	require.True(t, ok)
	digits, err := call.WaitDTMF(f.ctx, 3)
	require.NoError(t, err)
	assert.Equal(t, []rune{'4', '2', '*'}, digits)
	assert.Empty(t, infoSignals(call), "no INFO in rfc4733 mode")
	requireNoExceptions(t, f.page)
}

// The far end holds: the page answers recvonly and notes it; resume restores sendrecv.
func TestFarEndHold(t *testing.T) {
	f := newCallFixture(t, nil)
	call := answered(t, f)
	res, err := call.Hold(f.ctx)
	require.NoError(t, err)
	require.Equal(t, 200, res.StatusCode)
	assert.Equal(t, "recvonly", direction(string(res.Body())))
	var remoteHold bool
	f.page.Eval(t, `harness.clients.alice.getCall().callDetails().isRemoteHold`, &remoteHold)
	assert.True(t, remoteHold)
	res, err = call.Unhold(f.ctx)
	require.NoError(t, err)
	require.Equal(t, 200, res.StatusCode)
	assert.Equal(t, "sendrecv", direction(string(res.Body())))
	farLevelEventually(t, call, func(l float64) bool { return l > -45 }, "loud after the far end resumes")
	assert.Equal(t, []string{"incoming", "connected"}, f.callEvents(t), "no events for hold")
	requireNoExceptions(t, f.page)
}

// Requests the SDK does not support in a dialog get 501, and the call survives.
func TestUnknownMethodInDialog(t *testing.T) {
	f := newCallFixture(t, nil)
	call := answered(t, f)
	res, err := call.SendRequest(f.ctx, "MESSAGE", "text/plain", []byte("hi"), nil)
	require.NoError(t, err)
	assert.Equal(t, 501, res.StatusCode)
	res, err = call.SendInfo(f.ctx, "application/dtmf-relay", "Signal=5\r\nDuration=100\r\n")
	require.NoError(t, err)
	assert.Equal(t, 200, res.StatusCode)
	f.page.Eval(t, `harness.clients.alice.getCall().Hangup()`, nil)
	_, err = call.WaitEnded(f.ctx)
	require.NoError(t, err)
	requireNoExceptions(t, f.page)
}

// Closing the page during a call hangs up (BYE) and removes the registration.
func TestClosingThePageHangsUpAndUnregisters(t *testing.T) {
	f := newCallFixture(t, nil)
	call := answered(t, f)
	f.page.Eval(t, `location.href = 'about:blank'`, nil) // the page goes away: pagehide
	reason, err := call.WaitEnded(f.ctx)
	require.NoError(t, err)
	assert.Equal(t, "remote BYE", reason)
	require.Eventually(t, func() bool {
		contacts, err := f.srv.Contacts("alice@" + f.srv.Domain)
		return err == nil && len(contacts) == 0
	}, 5*time.Second, 50*time.Millisecond, "the contact is removed")
}

// With a STUN server that never answers, Answer does not wait for ICE
// gathering to finish (Chromium would take many seconds): the host candidates
// go after a bounded wait and the call connects.
func TestAnswerDoesNotWaitForAnUnreachableStunServer(t *testing.T) {
	f := newCallFixture(t, nil)
	var ok bool
	f.page.Eval(t, `harness.clients.alice.setIceServers([{urls: 'stun:127.0.0.1:9'}])`, &ok)
	require.True(t, ok)
	call, err := f.bob.Dial(f.ctx, "alice", farend.CallOptions{})
	require.NoError(t, err)
	f.waitCall(t, "incoming")
	var ms float64
	f.page.Eval(t, `new Promise(resolve => {
		const t0 = performance.now();
		harness.clients.alice.getCall().Answer();
		const poll = () => harness.of('call:alice').includes('connected') ? resolve(performance.now() - t0) : setTimeout(poll, 5);
		poll();
	})`, &ms)
	t.Logf("Answer → connected with an unreachable STUN server: %.0f ms", ms)
	assert.Less(t, ms, 5000.0, "bounded: about a second for STUN (3.7 s seen with the machine loaded), not the end of gathering")
	require.NoError(t, call.WaitMedia(f.ctx))
	farLevelEventually(t, call, func(l float64) bool { return l > -45 }, "loud")
	requireNoExceptions(t, f.page)
}
