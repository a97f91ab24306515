package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/webphone/exotelsdk/tests/browser"
	"github.com/webphone/exotelsdk/tests/farend"
	"github.com/webphone/exotelsdk/tests/kamailio"
)

// manyCallsFixture is alice's page (fake microphone: a 1 kHz tone) with the
// account fields given (numbers stay numbers), and two Go far ends, bob and
// carol, on the same Kamailio.
type manyCallsFixture struct {
	*callFixture
	carol *farend.Peer
}

func newManyCallsFixture(t *testing.T, extra map[string]any) *manyCallsFixture {
	t.Helper()
	srv := kamailio.Start(t, kamailio.Options{})
	base := browser.Serve(t)
	page := browser.Launch(t, browser.Options{FakeAudioFile: browser.ToneWAV(t, 1000, 0.5, 10)}).
		Open(t, base+"/tests/pages/phone.html")
	acct := map[string]any{}
	for k, v := range account(t, srv, "alice") {
		acct[k] = v
	}
	for k, v := range extra {
		acct[k] = v
	}
	page.Eval(t, `harness.create('alice', `+js(t, acct)+`).then(() => harness.clients.alice.DoRegister())`, nil)
	waitEvent(t, page, "register:alice", "registered", 10*time.Second)
	bob := farend.New(t, farend.Config{User: "bob", Domain: srv.Domain, Server: srv.UDPAddr, DisplayName: "Bob"})
	carol := farend.New(t, farend.Config{User: "carol", Domain: srv.Domain, Server: srv.UDPAddr, DisplayName: "Carol"})
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	t.Cleanup(cancel)
	return &manyCallsFixture{callFixture: &callFixture{srv: srv, page: page, bob: bob, ctx: ctx}, carol: carol}
}

// byID evaluates expr on alice's call with this Call-ID (as `c`).
func (f *manyCallsFixture) byID(t *testing.T, callID, expr string, out any) {
	t.Helper()
	f.page.Eval(t, fmt.Sprintf(`(() => { const c = harness.clients.alice.getCallById(%q); return %s; })()`, callID, expr), out)
}

// waitCount waits until alice has had n call events of this type.
func (f *manyCallsFixture) waitCount(t *testing.T, event string, n int) {
	t.Helper()
	f.page.WaitUntil(t, fmt.Sprintf(`harness.of('call:alice').filter(e => e === %q).length >= %d`, event, n), 20*time.Second)
}

// reinviteDirections lists the audio directions of the re-INVITEs a far end got, in order.
func reinviteDirections(call *farend.Call) []string {
	var out []string
	for _, r := range call.ReceivedRequests() {
		if r.Method == "INVITE" {
			out = append(out, direction(string(r.Body())))
		}
	}
	return out
}

// Call waiting end to end: with maxCalls 2 a second caller hears 180 while
// we talk to the first; answering it holds the first (re-INVITE sendonly,
// and not a sound reaches it), the second hears our microphone; hanging up
// the second and resuming the first brings our audio back to the first.
func TestCallWaitingAnswerHoldsTheFirstAndResumeBringsItBack(t *testing.T) {
	f := newManyCallsFixture(t, map[string]any{"maxCalls": 2})
	bobCall, err := f.bob.Dial(f.ctx, "alice", farend.CallOptions{})
	require.NoError(t, err)
	f.waitCall(t, "incoming")
	var ok bool
	f.page.Eval(t, `harness.clients.alice.getCall().Answer()`, &ok)
	require.True(t, ok)
	f.waitCall(t, "connected")
	require.NoError(t, bobCall.WaitMedia(f.ctx))
	live := farLevelEventually(t, bobCall, func(l float64) bool { return l > -45 }, "loud")

	carolCall, err := f.carol.Dial(f.ctx, "alice", farend.CallOptions{})
	require.NoError(t, err)
	require.NoError(t, carolCall.WaitStatus(f.ctx, 180), "the second caller hears ringing, not busy")
	f.waitCount(t, "incoming", 2)

	var ids []string
	f.page.Eval(t, `harness.clients.alice.getCalls().map(c => c.callId)`, &ids)
	assert.Equal(t, []string{bobCall.CallID(), carolCall.CallID()}, ids, "getCalls(): oldest first")
	var cur string
	f.page.Eval(t, `harness.clients.alice.getCall().callId`, &cur)
	assert.Equal(t, bobCall.CallID(), cur, "getCall() is the connected call")
	var state string
	f.byID(t, carolCall.CallID(), `c.callState`, &state)
	assert.Equal(t, "incoming", state)
	var nulls []bool
	f.page.Eval(t, `[harness.clients.alice.getCallById('nope') === null, harness.clients.alice.getCallById(42) === null,
		harness.clients.alice.getCallById() === null, harness.clients.alice.getCallById({}) === null]`, &nulls)
	assert.Equal(t, []bool{true, true, true, true}, nulls, "getCallById of garbage is null")
	f.byID(t, bobCall.CallID(), `c.Answer()`, &ok)
	assert.False(t, ok, "Answer() on a connected call is refused")

	// Answer the waiting call: bob is held first and hears nothing.
	f.byID(t, carolCall.CallID(), `c.Answer()`, &ok)
	require.True(t, ok)
	_, err = bobCall.WaitRequest(f.ctx, "INVITE")
	require.NoError(t, err)
	assert.Equal(t, []string{"sendonly"}, reinviteDirections(bobCall))
	held := farLevelEventually(t, bobCall, func(l float64) bool { return l <= farend.SilenceDBFS+1 }, "silent while held")
	heldAt := time.Now()
	require.NoError(t, carolCall.WaitStatus(f.ctx, 200))
	require.NoError(t, carolCall.WaitMedia(f.ctx))
	carolLevel := farLevelEventually(t, carolCall, func(l float64) bool { return l > -45 }, "loud at the second caller")
	f.waitCount(t, "connected", 2)
	// While carol talks bob stays silent: measured again over all that came
	// since bob fell silent (a fixed window could reach back to before the
	// hold on a fast machine).
	assert.LessOrEqual(t, bobCall.AudioLevel(time.Since(heldAt)), farend.SilenceDBFS+1, "the held caller hears nothing")
	var bobHeld bool
	f.byID(t, bobCall.CallID(), `c.callDetails().isOnHold`, &bobHeld)
	assert.True(t, bobHeld)
	f.page.Eval(t, `harness.clients.alice.getCall().callId`, &cur)
	assert.Equal(t, carolCall.CallID(), cur, "getCall() follows the call we talk on")

	// Carol hears us, we hear carol.
	require.NoError(t, carolCall.PlayTone(440))
	require.Eventually(t, func() bool { return f.level(t, 400) > 0.05 }, 10*time.Second, 100*time.Millisecond, "the page hears the second caller")

	// Hang up carol; bob stays, held; resume bob.
	f.byID(t, carolCall.CallID(), `c.Hangup()`, &ok)
	require.True(t, ok)
	_, err = carolCall.WaitEnded(f.ctx)
	require.NoError(t, err)
	var n int
	f.page.Eval(t, `harness.clients.alice.getCalls().length`, &n)
	assert.Equal(t, 1, n)
	f.byID(t, bobCall.CallID(), `c.UnHold()`, &ok)
	require.True(t, ok)
	require.Eventually(t, func() bool { return len(reinviteDirections(bobCall)) == 2 }, 10*time.Second, 50*time.Millisecond)
	assert.Equal(t, []string{"sendonly", "sendrecv"}, reinviteDirections(bobCall))
	resumed := farLevelEventually(t, bobCall, func(l float64) bool { return l > -45 }, "loud after resume")
	t.Logf("bob: live %.1f dBFS, held %.1f dBFS, resumed %.1f dBFS; carol %.1f dBFS", live, held, resumed, carolLevel)

	f.page.Eval(t, `harness.clients.alice.getCall().Hangup()`, nil)
	_, err = bobCall.WaitEnded(f.ctx)
	require.NoError(t, err)
	f.page.Eval(t, `harness.events.filter(e => e.kind === 'call:alice' && e.args[1] === 'callEnded').length`, &n)
	assert.Equal(t, 2, n, "each call ended here reports callEnded on its own callObj")
	requireNoExceptions(t, f.page)
}

// A caller who gives up is a missed call: terminated, then missed,
// callEndCause 'canceled'.
func TestMissedCallWhenTheCallerCancels(t *testing.T) {
	f := newManyCallsFixture(t, nil)
	bobCall, err := f.bob.Dial(f.ctx, "alice", farend.CallOptions{})
	require.NoError(t, err)
	f.waitCall(t, "incoming")
	require.NoError(t, bobCall.WaitStatus(f.ctx, 180))
	require.NoError(t, bobCall.Cancel(f.ctx))
	f.waitCall(t, "missed")
	assert.Equal(t, []string{"incoming", "terminated", "missed"}, f.callEvents(t))
	var d map[string]any
	f.page.Eval(t, `harness.lastCall('alice').callDetails()`, &d)
	assert.Equal(t, "canceled", d["callEndCause"])
	assert.Equal(t, 487.0, d["sipStatus"])
	var ok bool
	f.page.Eval(t, `harness.lastCall('alice').Answer()`, &ok)
	assert.False(t, ok, "Answer() on an ended call is refused")
	requireNoExceptions(t, f.page)
}

// A call nobody answers within noAnswerTimeout gets 480 at the caller and
// is missed ('no-answer', sipStatus 480).
func TestNoAnswerTimeoutAnswers480AndIsMissed(t *testing.T) {
	f := newManyCallsFixture(t, map[string]any{"noAnswerTimeout": 3})
	carolCall, err := f.carol.Dial(f.ctx, "alice", farend.CallOptions{})
	require.NoError(t, err)
	f.waitCall(t, "incoming")
	code, err := carolCall.WaitFinal(f.ctx)
	require.NoError(t, err)
	assert.Equal(t, 480, code, "the caller is told nobody answered")
	f.waitCall(t, "missed")
	assert.Equal(t, []string{"incoming", "terminated", "missed"}, f.callEvents(t))
	var d map[string]any
	f.page.Eval(t, `harness.lastCall('alice').callDetails()`, &d)
	assert.Equal(t, "no-answer", d["callEndCause"])
	assert.Equal(t, 480.0, d["sipStatus"])
	requireNoExceptions(t, f.page)
}

// The default stays Exotel's: one call at a time, a second caller gets 486.
// A maxCalls out of range is clamped and says so in the log.
func TestDefaultMaxCallsStays486AndOutOfRangeIsClamped(t *testing.T) {
	f := newManyCallsFixture(t, nil)
	bobCall, err := f.bob.Dial(f.ctx, "alice", farend.CallOptions{})
	require.NoError(t, err)
	f.waitCall(t, "incoming")
	f.page.Eval(t, `harness.clients.alice.getCall().Answer()`, nil)
	f.waitCall(t, "connected")
	require.NoError(t, bobCall.WaitStatus(f.ctx, 200))
	carolCall, err := f.carol.Dial(f.ctx, "alice", farend.CallOptions{})
	require.NoError(t, err)
	code, err := carolCall.WaitFinal(f.ctx)
	require.NoError(t, err)
	assert.Equal(t, 486, code)
	assert.Equal(t, []string{"incoming", "connected"}, f.callEvents(t), "the app hears nothing of the refused call")

	f.page.Eval(t, `harness.create('dave', Object.assign({}, `+js(t, account(t, f.srv, "dave"))+`, {maxCalls: 99}))`, nil)
	require.Eventually(t, func() bool {
		return strings.Contains(strings.Join(f.page.Console(), "\n"), "maxCalls 99 is out of range 1..4; using 4")
	}, 10*time.Second, 50*time.Millisecond, "the clamp is logged")
	requireNoExceptions(t, f.page)
}
