package phone

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/webphone/exotelsdk/sdk/media"
)

// returnsWhileListenerBlocked runs a Phone method while every listener call
// is blocked: a method that called the listener synchronously would hang.
func returnsWhileListenerBlocked(t *testing.T, name string, method func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { method(); close(done) }()
	select {
	case <-done:
	case <-time.After(time.Second):
		t.Fatalf("%s waited for the event listener", name)
	}
}

func TestPhoneMethodsNeverWaitForTheListener(t *testing.T) {
	f := newFixture(t)
	release := f.events.hold()
	returnsWhileListenerBlocked(t, "Register", func() { f.phone.Register() })
	f.conn = f.dialer.waitConn(t)
	require.Eventually(t, func() bool { return f.phone.Status() == "registered" }, waitFor, 2*time.Millisecond)
	assert.Empty(t, f.events.registerEvents(), "events wait for the blocked listener")

	fe := newFarEnd()
	f.conn.inject(fe.invite(farSDP(1, media.SendRecv)))
	fe.learn(f.conn.nextResponse(t, 180))
	require.Eventually(t, func() bool { return f.phone.CurrentCall() != nil }, waitFor, 2*time.Millisecond)
	c := f.phone.CurrentCall()
	returnsWhileListenerBlocked(t, "Answer", func() { assert.NoError(t, c.Answer()) })
	f.conn.nextResponse(t, 200)
	f.conn.inject(fe.ack(fe.inviteCSeq, ""))
	require.Eventually(t, func() bool { return c.State() == StateConnected }, waitFor, 2*time.Millisecond)
	returnsWhileListenerBlocked(t, "SetMuted", func() { c.SetMuted(true) })
	returnsWhileListenerBlocked(t, "Hangup", func() { assert.NoError(t, c.Hangup()) })
	returnsWhileListenerBlocked(t, "Unregister", f.phone.Unregister)
	assert.Empty(t, f.events.callEvents())

	release()
	f.events.waitRegister(t, "unregistered")
	assert.Equal(t, []string{string(StateIncoming), string(StateConnected), string(StateCallEnded)}, f.events.callEvents(),
		"held events are delivered in order once the listener returns")
	assert.Equal(t, []string{"sent_request", "registered", "sent_request", "unregistered"},
		f.events.registerEvents())
}

func TestListenerRunsOnOneGoroutineOfItsOwn(t *testing.T) {
	f := newRegisteredFixture(t)
	c, _ := f.connectedIncoming(newFarEnd())
	require.NoError(t, c.Hangup())
	f.events.waitCall(t, StateCallEnded)
	f.phone.Unregister()
	f.events.waitRegister(t, "unregistered")

	gids := f.events.goroutines()
	require.NotEmpty(t, gids)
	for _, g := range gids {
		assert.Equal(t, gids[0], g, "every listener call runs on the event queue's goroutine")
	}
	assert.NotEqual(t, f.testGID, gids[0], "never on the app's goroutine")
}
