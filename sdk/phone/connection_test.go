package phone

import (
	"context"
	"errors"
	"github.com/webphone/exotelsdk/sdk/clock/clocktest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/webphone/exotelsdk/sdk/sipua"
)

// The first reconnect comes within a second of a drop, and registers again
// without any app call.
func TestReconnectsAfterADropAndRegistersAgain(t *testing.T) {
	f := newRegisteredFixture(t)
	f.conn.drop(errors.New("1006"))
	f.events.waitRegister(t, "unregistered")
	pending := f.clock.Pending()
	require.Len(t, pending, 1)
	assert.GreaterOrEqual(t, pending[0], 375*time.Millisecond)
	assert.LessOrEqual(t, pending[0], 750*time.Millisecond, "the first try comes within a second")

	assert.True(t, f.phone.Register(), "DoRegister during a reconnect returns true")
	assert.Equal(t, 1, f.dialer.dialCount(), "…and does not dial")

	f.clock.Advance(pending[0])
	conn := f.dialer.waitConn(t)
	require.Eventually(t, func() bool {
		return len(f.events.registerEvents()) == 5
	}, waitFor, 5*time.Millisecond)
	assert.Equal(t, []string{"sent_request", "registered", "unregistered", "sent_request", "registered"}, f.events.registerEvents())
	assert.Equal(t, "registered", f.phone.Status())
	regs := registers(conn)
	require.NotEmpty(t, regs)
	assert.Equal(t, registers(f.conn)[0].CallID().Value(), regs[0].CallID().Value(), "the same registration, on a new connection")
}

// Failed attempts back off exponentially with jitter up to 30 s; "terminated"
// is reported once per outage.
func TestBackoffDoublesAndIsCapped(t *testing.T) {
	f := newFixture(t)
	f.dialer.failWith(errors.New("refused"))
	require.True(t, f.phone.Register())
	f.events.waitRegister(t, "terminated")
	var delays []time.Duration
	for i := 0; i < 9; i++ {
		var pending []time.Duration
		require.Eventually(t, func() bool { pending = f.clock.Pending(); return len(pending) == 1 }, waitFor, time.Millisecond)
		delays = append(delays, pending[0])
		f.clock.Advance(pending[0])
		require.Eventually(t, func() bool { return f.dialer.dialCount() == i+2 }, waitFor, time.Millisecond)
	}
	nominal := 500 * time.Millisecond
	for i, d := range delays {
		want := nominal << i
		if want > 30*time.Second {
			want = 30 * time.Second
		}
		assert.InDelta(t, float64(want), float64(d), float64(want)/4+1, "attempt %d: %v", i+1, d)
	}
	assert.Equal(t, []string{"terminated"}, f.events.registerEvents(), "terminated once, not per attempt")
}

// urlDialer fails for one URL and delegates the others.
type urlDialer struct {
	*fakeDialer
	bad string
}

func (d urlDialer) Dial(ctx context.Context, url string, onFrame func([]byte), onClose func(error)) (sipua.Transport, error) {
	if url == d.bad {
		d.fakeDialer.mu.Lock()
		d.fakeDialer.urls = append(d.fakeDialer.urls, url)
		d.fakeDialer.mu.Unlock()
		return nil, errors.New("refused")
	}
	return d.fakeDialer.Dial(ctx, url, onFrame, onClose)
}

// Several servers (wsUrls) are tried in turn.
func TestFailsOverToTheNextServer(t *testing.T) {
	book, events := newFixture(t).book, &fakeListener{}
	dialer := newFakeDialer(t, registrar(t))
	info := testAccountInfo()
	info.WSURLs = []string{"wss://a.example.test/ws", "wss://b.example.test/ws"}
	p, err := New(info, Deps{Dialer: urlDialer{dialer, "wss://a.example.test/ws"}, Media: &fakeMedia{},
		Log: book.Logger("failover"), Clock: clocktest.New(), KeepAlive: -1}, events)
	require.NoError(t, err)
	defer p.Close()
	require.True(t, p.Register())
	dialer.waitConn(t)
	events.waitRegister(t, "registered")
	assert.Equal(t, []string{"wss://a.example.test/ws", "wss://b.example.test/ws"}, dialer.urls)
	assert.Equal(t, []string{"wss://a.example.test/ws", "wss://b.example.test/ws"}, p.WebSocketURLs())
}

// Offline pauses reconnecting; online reconnects at once.
func TestOfflinePausesAndOnlineReconnectsAtOnce(t *testing.T) {
	f := newRegisteredFixture(t)
	f.phone.NetworkChanged(false)
	f.conn.drop(errors.New("network gone"))
	f.events.waitRegister(t, "unregistered")
	assert.Empty(t, f.clock.Pending(), "no attempts while offline")
	f.phone.NetworkChanged(true)
	f.dialer.waitConn(t)
	require.Eventually(t, func() bool { return f.phone.Status() == "registered" }, waitFor, 5*time.Millisecond)
	assert.Equal(t, 2, f.dialer.dialCount())
}

// A connection whose pings go unanswered is closed and replaced; one that
// answers stays.
func TestKeepAliveReplacesADeadConnection(t *testing.T) {
	f := newRegisteredFixture(t, func(d *Deps) { d.KeepAlive, d.PongTimeout = 20*time.Millisecond, 60*time.Millisecond })
	stop := make(chan struct{})
	go func() { // pongs for a while
		for {
			select {
			case <-stop:
				return
			case <-time.After(10 * time.Millisecond):
				f.conn.inject("\r\n")
			}
		}
	}()
	time.Sleep(200 * time.Millisecond)
	assert.False(t, f.conn.isClosed(), "answered pings keep the connection")
	close(stop)
	f.events.waitRegister(t, "unregistered")
	assert.True(t, f.conn.isClosed(), "the silent connection is closed")
	assert.Len(t, f.clock.Pending(), 1, "and a reconnect is scheduled")
}

// UnRegister stops reconnecting for good.
func TestUnregisterStopsReconnecting(t *testing.T) {
	f := newRegisteredFixture(t)
	f.conn.drop(errors.New("1006"))
	f.events.waitRegister(t, "unregistered")
	require.Len(t, f.clock.Pending(), 1)
	f.phone.Unregister()
	assert.Empty(t, f.clock.Pending())
	f.clock.Advance(time.Minute)
	assert.Equal(t, 1, f.dialer.dialCount())
}
