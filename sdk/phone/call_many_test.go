package phone

import (
	"errors"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/webphone/exotelsdk/sdk/logs"
	"github.com/webphone/exotelsdk/sdk/media"
)

// fakeTones records which tones play.
type fakeTones struct {
	mu      sync.Mutex
	playing map[string]bool
	started []string
}

func (f *fakeTones) Start(name string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.playing == nil {
		f.playing = map[string]bool{}
	}
	f.playing[name] = true
	f.started = append(f.started, name)
}

func (f *fakeTones) Stop(name string) { f.mu.Lock(); defer f.mu.Unlock(); delete(f.playing, name) }

// now lists the tones playing, sorted.
func (f *fakeTones) now() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := []string{}
	for name := range f.playing {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// manyCalls is a registered phone that takes up to max calls, with tones.
func manyCalls(t *testing.T, max int) (*fixture, *fakeTones) {
	acct := testAccountInfo()
	acct.MaxCalls = max
	tones := &fakeTones{}
	return newRegisteredFixtureFor(t, acct, func(d *Deps) { d.Tones = tones }), tones
}

// callEventsOf lists the events reported for call c, in order.
func callEventsOf(f *fixture, c *Call) []string {
	var out []string
	for _, ev := range f.events.events("call") {
		if ev.call == c {
			out = append(out, ev.name)
		}
	}
	return out
}

// waitEventOf waits for the event name of call c.
func waitEventOf(t *testing.T, f *fixture, c *Call, name string) {
	t.Helper()
	require.Eventually(t, func() bool {
		for _, n := range callEventsOf(f, c) {
			if n == name {
				return true
			}
		}
		return false
	}, waitFor, 2*time.Millisecond, "no %q for call %s; it had %v", name, c.ID(), callEventsOf(f, c))
}

// ringAnother rings the phone from fe while other calls are up and returns the new call.
func (f *fixture) ringAnother(fe *farEnd) *Call {
	t := f.t
	t.Helper()
	f.conn.inject(fe.invite(farSDP(1, media.SendRecv)))
	fe.learn(f.conn.nextResponse(t, 180))
	var c *Call
	require.Eventually(t, func() bool { c = f.phone.CallByID(fe.callID); return c != nil }, waitFor, 2*time.Millisecond)
	waitEventOf(t, f, c, "incoming")
	return c
}

func TestDefaultMaxCallsRefusesASecondInviteWith486(t *testing.T) {
	f, _ := manyCalls(t, 0)
	a, _ := f.connectedIncoming(newFarEnd())
	fe := newFarEnd()
	f.conn.inject(fe.invite(farSDP(1, media.SendRecv)))
	f.conn.nextResponse(t, 486)
	assert.Equal(t, []*Call{a}, f.phone.Calls())
	_, err := f.phone.MakeCall("bob", CallOptions{})
	assert.Error(t, err, "MakeCall is refused while the one call is up")
}

// With maxCalls 2 a second INVITE rings (180) on a new call with its own
// id, plays the call-waiting beep instead of the ringtone, and a third is
// refused 486.
func TestCallWaitingRingsASecondCallWithTheBeep(t *testing.T) {
	f, tones := manyCalls(t, 2)
	a, _ := f.connectedIncoming(newFarEnd())
	assert.Empty(t, tones.now(), "no tone while talking")

	b := f.ringAnother(newFarEnd())
	assert.NotSame(t, a, b)
	assert.NotEqual(t, a.ID(), b.ID())
	assert.Equal(t, []string{toneCallWaiting}, tones.now(), "the waiting call beeps, it does not ring")
	assert.Equal(t, []*Call{a, b}, f.phone.Calls(), "oldest first")
	assert.Same(t, a, f.phone.CurrentCall(), "getCall() is the connected call")
	assert.Nil(t, f.phone.CallByID("no-such-call"))

	third := newFarEnd()
	f.conn.inject(third.invite(farSDP(1, media.SendRecv)))
	f.conn.nextResponse(t, 486)

	// The connected call hangs up: the waiting one now rings properly.
	require.NoError(t, a.Hangup())
	f.conn.nextRequest(t, sip.BYE)
	require.Eventually(t, func() bool { return equalStrings(tones.now(), []string{toneRing}) }, waitFor, 2*time.Millisecond)
	assert.Same(t, b, f.phone.CurrentCall())
}

// waitingCall is a connected call a, a waiting call b that Answer() was
// asked of, and the hold re-INVITE that a's far end got for it.
type waitingCall struct {
	f        *fixture
	tones    *fakeTones
	a, b     *Call
	sessA    *fakeSession
	feA, feB *farEnd
	hold     *sip.Request
}

func answerWaitingCall(t *testing.T) *waitingCall {
	t.Helper()
	w := &waitingCall{feA: newFarEnd(), feB: newFarEnd()}
	w.f, w.tones = manyCalls(t, 2)
	w.a, w.sessA = w.f.connectedIncoming(w.feA)
	w.b = w.f.ringAnother(w.feB)
	require.NoError(t, w.b.Answer())
	w.hold = expectReinvite(t, w.f, w.feA, 1)
	return w
}

// connect takes b's 200 OK and ACKs it: b is connected.
func (w *waitingCall) connect(t *testing.T) {
	t.Helper()
	ok := w.f.conn.nextResponse(t, 200)
	assert.Equal(t, w.feB.callID, ok.CallID().Value())
	w.feB.learn(ok)
	w.f.conn.inject(w.feB.ack(w.feB.inviteCSeq, ""))
	waitEventOf(t, w.f, w.b, "connected")
}

// Answering a waiting call holds the connected one first (its media goes
// silent, re-INVITE sendonly), and only then answers; the media answer is
// worked out while the hold is on the wire, so a second call connects as
// fast as a first (issue 9's budget).
func TestAnsweringAWaitingCallHoldsTheConnectedOneFirst(t *testing.T) {
	w := answerWaitingCall(t)
	f, tones, a, sessA, feA, b, feB, hold := w.f, w.tones, w.a, w.sessA, w.feA, w.b, w.feB, w.hold
	assert.Equal(t, media.SendOnly, sdpDirection(string(hold.Body())))
	held := sessA.named("SetHeld")
	require.Len(t, held, 1)
	assert.True(t, held[0].Held, "the first call stops sending before its re-INVITE")
	f.media.session(t, 1).waitOp(t, "Answer", 1) // b's media answer, before a's hold is answered
	f.conn.quiet(t, 30*time.Millisecond)         // b is not answered before a is held
	f.conn.inject(feA.reply(hold, 200, "OK", farSDP(2, media.RecvOnly)))
	expectAck(t, f, hold)
	w.connect(t)
	assert.True(t, a.Held())
	assert.False(t, b.Held())
	assert.Same(t, b, f.phone.CurrentCall(), "getCall() is the connected call not on hold")
	assert.Empty(t, tones.now())

	// Resuming a holds b first, then resumes a.
	done := setHoldAsync(a, false)
	holdB := expectReinvite(t, f, feB, 1)
	assert.Equal(t, media.SendOnly, sdpDirection(string(holdB.Body())))
	f.conn.inject(feB.reply(holdB, 200, "OK", farSDP(2, media.RecvOnly)))
	expectAck(t, f, holdB)
	resume := expectReinvite(t, f, feA, 2)
	assert.Equal(t, media.SendRecv, sdpDirection(string(resume.Body())))
	f.conn.inject(feA.reply(resume, 200, "OK", farSDP(3, media.SendRecv)))
	expectAck(t, f, resume)
	require.NoError(t, result(t, done))
	assert.False(t, a.Held())
	assert.True(t, b.Held())

	// Each call's events went to its own call object.
	assert.Equal(t, []string{"incoming", "connected"}, callEventsOf(f, a))
	assert.Equal(t, []string{"incoming", "connected"}, callEventsOf(f, b))
	// Hanging up b leaves a untouched.
	require.NoError(t, b.Hangup())
	bye := f.conn.nextRequest(t, sip.BYE)
	assert.Equal(t, feB.callID, bye.CallID().Value())
	assert.Equal(t, []*Call{a}, f.phone.Calls())
	assert.Equal(t, StateConnected, a.State())
}

// A first call whose far end refuses the hold (491) while we answer a
// waiting call stays silent: it is held here, never made audible again,
// and the waiting call is answered.
func TestAnsweringAWaitingCallKeepsTheFirstSilentWhenItsHoldIsRefused(t *testing.T) {
	w := answerWaitingCall(t)
	f, a, sessA, b := w.f, w.a, w.sessA, w.b
	f.conn.inject(w.feA.reply(w.hold, 491, "Request Pending", ""))
	f.conn.nextRequest(t, sip.ACK)
	w.connect(t)
	held := sessA.named("SetHeld")
	require.Len(t, held, 1, "the first call is never made audible again")
	assert.True(t, held[0].Held)
	assert.True(t, a.Held(), "the first call counts as held, so resuming it re-offers sendrecv")
	assert.Same(t, b, f.phone.CurrentCall())
}

// A far end that never answers the hold does not keep the waiting caller
// waiting for Timer B: after holdWait it is answered; the first call is
// silent all along.
func TestAnsweringAWaitingCallDoesNotWaitForAHoldWithoutAnswer(t *testing.T) {
	w := answerWaitingCall(t)
	f := w.f
	require.Eventually(t, func() bool { return slices.Contains(f.clock.Pending(), holdWait) }, waitFor, time.Millisecond,
		"the answer waits for the hold at most holdWait (pending %v)", f.clock.Pending())
	f.conn.quiet(t, 30*time.Millisecond)
	f.clock.Advance(holdWait)
	w.connect(t)
	assert.True(t, w.sessA.named("SetHeld")[0].Held)
}

// MakeCall while a call is connected holds that call before the INVITE.
func TestMakeCallDuringACallHoldsItFirst(t *testing.T) {
	f, _ := manyCalls(t, 2)
	fe := newFarEnd()
	a, _ := f.connectedIncoming(fe)
	_, err := f.phone.MakeCall("bob", CallOptions{})
	require.NoError(t, err)
	hold := expectReinvite(t, f, fe, 1)
	assert.Equal(t, media.SendOnly, sdpDirection(string(hold.Body())))
	f.conn.quiet(t, 30*time.Millisecond)
	f.conn.inject(fe.reply(hold, 200, "OK", farSDP(2, media.RecvOnly)))
	expectAck(t, f, hold)
	inv := f.conn.nextRequest(t, sip.INVITE)
	assert.NotEqual(t, fe.callID, inv.CallID().Value())
	assert.True(t, a.Held())
}

// Two connected calls whose far ends re-INVITE at the same time are each
// answered: one call's exchange is no glare for the other.
func TestTwoCallsInterleavingReinvites(t *testing.T) {
	f, _ := manyCalls(t, 2)
	feA, feB := newFarEnd(), newFarEnd()
	a, _ := f.connectedIncoming(feA)
	b := f.ringAnother(feB)
	require.NoError(t, b.Answer())
	hold := expectReinvite(t, f, feA, 1)
	f.conn.inject(feA.reply(hold, 200, "OK", farSDP(2, media.RecvOnly)))
	expectAck(t, f, hold)
	feB.learn(f.conn.nextResponse(t, 200))
	f.conn.inject(feB.ack(feB.inviteCSeq, ""))
	waitEventOf(t, f, b, "connected")

	f.conn.inject(feA.inDialog("INVITE", farSDP(5, media.SendOnly), "application/sdp"))
	f.conn.inject(feB.inDialog("INVITE", farSDP(5, media.SendOnly), "application/sdp"))
	got := map[string]int{}
	for i := 0; i < 2; i++ {
		res := f.conn.nextResponse(t, 200)
		got[res.CallID().Value()]++
	}
	assert.Equal(t, map[string]int{feA.callID: 1, feB.callID: 1}, got)
	f.conn.inject(feA.ack(feA.cseq, ""))
	f.conn.inject(feB.ack(feB.cseq, ""))
	require.Eventually(t, func() bool { return a.Details().RemoteHeld && b.Details().RemoteHeld }, waitFor, 2*time.Millisecond)
}

// A call nobody answers within noAnswerTimeout (on the manual clock) is
// answered 480 and reported terminated, then missed.
func TestNoAnswerTimeoutAnswers480AndReportsMissed(t *testing.T) {
	acct := testAccountInfo()
	acct.NoAnswerTimeout = 30
	f := newRegisteredFixtureFor(t, acct)
	c, _ := f.ring(newFarEnd(), farSDP(1, media.SendRecv))
	f.clock.Advance(29 * time.Second)
	f.conn.quiet(t, 20*time.Millisecond)
	f.clock.Advance(time.Second)
	f.conn.nextResponse(t, 480)
	f.events.callEventsSoon(t, StateIncoming, StateTerminated, CallState(EventMissed))
	d := c.Details()
	assert.Equal(t, CauseNoAnswer, d.CallEndCause)
	assert.Equal(t, 480, d.SipStatus)
	assert.True(t, c.Missed())
}

func TestAnsweredCallIsNotEndedByTheNoAnswerTimeout(t *testing.T) {
	f := newRegisteredFixture(t)
	c, _ := f.connectedIncoming(newFarEnd())
	f.clock.Advance(2 * time.Minute)
	f.conn.quiet(t, 20*time.Millisecond)
	assert.Equal(t, StateConnected, c.State())
}

// A CANCEL saying the call was answered elsewhere is no missed call.
func TestCancelAnsweredElsewhereIsNotMissed(t *testing.T) {
	f := newRegisteredFixture(t)
	fe := newFarEnd()
	c, _ := f.ring(fe, farSDP(1, media.SendRecv))
	cancel := fe.build("CANCEL", fe.ourURI, fe.inviteBranch, fe.inviteCSeq, "", "", "", nil,
		[]string{`Reason: SIP;cause=200;text="Call completed elsewhere"`})
	f.conn.inject(cancel)
	f.conn.nextResponse(t, 200)
	f.conn.nextResponse(t, 487)
	f.events.callEventsSoon(t, StateIncoming, StateTerminated)
	assert.False(t, c.Missed())
	assert.Equal(t, CauseCanceled, c.Details().CallEndCause)
}

// A call rejected here, or answered and then ended, is not missed; every
// ended call says why.
func TestEndCausesOfCallsEndedHereAndThere(t *testing.T) {
	f := newRegisteredFixture(t)
	c, _ := f.ring(newFarEnd(), farSDP(1, media.SendRecv))
	require.NoError(t, c.Hangup())
	f.conn.nextResponse(t, 486)
	f.events.callEventsSoon(t, StateIncoming, StateCallEnded)
	assert.Equal(t, CauseRejected, c.Details().CallEndCause)
	assert.Equal(t, 486, c.Details().SipStatus)

	f = newRegisteredFixture(t)
	fe := newFarEnd()
	c2, _ := f.connectedIncoming(fe)
	f.conn.inject(fe.inDialog("BYE", "", ""))
	f.conn.nextResponse(t, 200)
	waitEventOf(t, f, c2, "terminated")
	assert.Equal(t, CauseRemoteHangup, c2.Details().CallEndCause)
	assert.False(t, c2.Missed())

	out, inv := f.dial(CallOptions{})
	callee := calleeOf(inv)
	f.conn.inject(callee.reply(inv, 603, "Decline", ""))
	waitEventOf(t, f, out, "callEnded")
	assert.Equal(t, CauseDeclined, out.Details().CallEndCause)
	assert.Equal(t, 603, out.Details().SipStatus)
}

// An outgoing call that rings when the WebSocket drops ends (network)
// instead of ringing forever.
func TestRingingOutgoingCallEndsWhenTheConnectionDrops(t *testing.T) {
	f := newRegisteredFixture(t)
	c, inv := f.dial(CallOptions{})
	f.conn.inject(calleeOf(inv).reply(inv, 180, "Ringing", ""))
	f.events.waitCall(t, StateRinging)
	f.conn.drop(errors.New("gone"))
	f.events.waitCall(t, StateTerminated)
	assert.Equal(t, CauseNetwork, c.Details().CallEndCause)
	assert.Empty(t, f.phone.Calls())
}

// The call state machine refuses moves its table does not have.
func TestCallStateTransitions(t *testing.T) {
	allowed := [][2]CallState{
		{StateIncoming, StateConnected}, {StateIncoming, StateTerminated}, {StateIncoming, StateCallEnded},
		{StateCalling, StateRinging}, {StateCalling, StateConnected}, {StateRinging, StateConnected},
		{StateConnected, StateCallEnded}, {StateConnected, StateTerminated},
	}
	for _, m := range allowed {
		assert.True(t, m[0].canMoveTo(m[1]), "%s → %s", m[0], m[1])
	}
	refused := [][2]CallState{
		{StateConnected, StateIncoming}, {StateConnected, StateRinging}, {StateRinging, StateCalling},
		{StateCallEnded, StateConnected}, {StateTerminated, StateCallEnded}, {StateIncoming, StateRinging},
	}
	for _, m := range refused {
		assert.False(t, m[0].canMoveTo(m[1]), "%s → %s", m[0], m[1])
	}
	f := newRegisteredFixture(t)
	c, _ := f.connectedIncoming(newFarEnd())
	assert.False(t, c.setState(StateRinging), "a connected call cannot ring again")
	assert.Equal(t, StateConnected, c.State())
}

func TestCallLimitsAreDefaultedAndClamped(t *testing.T) {
	book := logs.NewBook(100)
	log := book.Logger("t")
	f := func(v float64) *float64 { return &v }
	l := AccountInfo{}.callLimits(log)
	assert.Equal(t, callLimits{maxCalls: 1, noAnswer: 60 * time.Second, sessionExpires: 1800 * time.Second}, l)
	assert.Empty(t, book.Text())
	l = AccountInfo{MaxCalls: 9, NoAnswerTimeout: 0.1, SessionExpires: f(30)}.callLimits(log)
	assert.Equal(t, callLimits{maxCalls: 4, noAnswer: time.Second, sessionExpires: 90 * time.Second}, l)
	assert.Contains(t, book.Text(), "maxCalls 9 is out of range")
	assert.Contains(t, book.Text(), "sessionExpires 30s is below the minimum")
	l = AccountInfo{MaxCalls: -3, SessionExpires: f(0)}.callLimits(log)
	assert.Equal(t, 1, l.maxCalls)
	assert.Equal(t, time.Duration(0), l.sessionExpires, "0 turns session timers off")
}
