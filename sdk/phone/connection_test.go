package phone

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/webphone/exotelsdk/sdk/clock/clocktest"
	"github.com/webphone/exotelsdk/sdk/logs"

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

// pingDialer wraps the fixture's dialer and counts the pings (blank frames)
// written on its connections, which fakeConn ignores.
type pingDialer struct {
	Dialer
	mu    sync.Mutex
	pings int
}

func (d *pingDialer) Dial(ctx context.Context, url string, onFrame func([]byte), onClose func(error)) (sipua.Transport, error) {
	t, err := d.Dialer.Dial(ctx, url, onFrame, onClose)
	if err != nil {
		return nil, err
	}
	return pingCounter{t, d}, nil
}

func (d *pingDialer) count() int { d.mu.Lock(); defer d.mu.Unlock(); return d.pings }

type pingCounter struct {
	sipua.Transport
	d *pingDialer
}

func (c pingCounter) Send(frame []byte) error {
	if strings.TrimSpace(string(frame)) == "" {
		c.d.mu.Lock()
		c.d.pings++
		c.d.mu.Unlock()
	}
	return c.Transport.Send(frame)
}

// waitPending waits until the manual clock holds exactly want timers.
func waitPending(t *testing.T, f *fixture, want ...time.Duration) {
	t.Helper()
	require.Eventually(t, func() bool { return assert.ObjectsAreEqual(want, f.clock.Pending()) },
		waitFor, time.Millisecond, "pending %v, want %v", f.clock.Pending(), want)
}

// A connection whose pings go unanswered is closed and replaced; one that
// answers stays. Pings every 25 s, pongs within 10 s, on the manual clock.
func TestKeepAliveReplacesADeadConnection(t *testing.T) {
	var pd *pingDialer
	f := newRegisteredFixture(t, func(d *Deps) {
		pd = &pingDialer{Dialer: d.Dialer}
		d.Dialer, d.KeepAlive, d.PongTimeout = pd, 25*time.Second, 10*time.Second
	})
	var refresh time.Duration // the registration's, at a random point of its lifetime
	require.Eventually(t, func() bool {
		p := f.clock.Pending()
		if len(p) == 2 && p[0] == 25*time.Second {
			refresh = p[1]
		}
		return refresh > 0
	}, waitFor, time.Millisecond)
	f.clock.Advance(25 * time.Second)
	require.Eventually(t, func() bool { return pd.count() == 1 }, waitFor, time.Millisecond, "pinged")
	waitPending(t, f, 10*time.Second, refresh-25*time.Second)
	f.conn.inject("\r\n") // the pong
	waitPending(t, f, 25*time.Second, refresh-25*time.Second)
	f.clock.Advance(10 * time.Second)
	assert.False(t, f.conn.isClosed(), "an answered ping keeps the connection")

	f.clock.Advance(15 * time.Second)
	require.Eventually(t, func() bool { return pd.count() == 2 }, waitFor, time.Millisecond, "pinged again")
	waitPending(t, f, 10*time.Second, refresh-50*time.Second)
	f.clock.Advance(10 * time.Second) // no pong
	f.events.waitRegister(t, "unregistered")
	assert.True(t, f.conn.isClosed(), "the silent connection is closed")
	assert.Len(t, f.clock.Pending(), 1, "and a reconnect is scheduled")
}

// A registrar's Flow-Timer shorter than KeepAlive brings the pings forward
// to 80-100 % of it (RFC 5626 §4.4.1); one longer leaves KeepAlive.
func TestKeepAliveHonoursTheRegistrarsFlowTimer(t *testing.T) {
	for _, tc := range []struct {
		flow     string
		min, max time.Duration
	}{{"10", 8 * time.Second, 10 * time.Second}, {"120", 25 * time.Second, 25 * time.Second}} {
		t.Run("Flow-Timer "+tc.flow, func(t *testing.T) {
			var pd *pingDialer
			f := newFixture(t, func(d *Deps) {
				fd := d.Dialer.(*fakeDialer)
				reg := registrar(t)
				fd.respond = func(req *sip.Request) []string {
					out := reg(req)
					if len(out) == 1 && strings.HasPrefix(out[0], "SIP/2.0 200") {
						out[0] = strings.Replace(out[0], "\r\n", "\r\nFlow-Timer: "+tc.flow+"\r\n", 1)
					}
					return out
				}
				pd = &pingDialer{Dialer: fd}
				d.Dialer, d.KeepAlive, d.PongTimeout = pd, 25*time.Second, 5*time.Second
			})
			require.True(t, f.phone.Register())
			f.conn = f.dialer.waitConn(t)
			f.events.waitRegister(t, "registered")
			require.Eventually(t, func() bool { return f.phone.reg.FlowTimer() > 0 }, waitFor, time.Millisecond)
			f.clock.Advance(25 * time.Second) // the first ping was timed before the registration
			require.Eventually(t, func() bool { return pd.count() == 1 }, waitFor, time.Millisecond, "pinged")
			f.conn.inject("\r\n")
			require.Eventually(t, func() bool {
				for _, d := range f.clock.Pending() {
					if d >= tc.min && d <= tc.max {
						return true
					}
				}
				return false
			}, waitFor, time.Millisecond, "the next ping within %s..%s: %v", tc.min, tc.max, f.clock.Pending())
		})
	}
}

// dropDialer opens connections that the server drops at once.
type dropDialer struct{ *fakeDialer }

func (d dropDialer) Dial(ctx context.Context, url string, onFrame func([]byte), onClose func(error)) (sipua.Transport, error) {
	t, err := d.fakeDialer.Dial(ctx, url, onFrame, onClose)
	if err == nil {
		onClose(errors.New("1006"))
	}
	return t, err
}

// A server that accepts the WebSocket and drops it at once is dialled with a
// growing backoff (the backoff used to restart on every open: 21 dials in
// 10 s); it restarts only after a link stayed registered for 30 s.
func TestBackoffResetsOnlyAfterAStableLink(t *testing.T) {
	f := newFixture(t)
	p, err := New(testAccountInfo(), Deps{Dialer: dropDialer{f.dialer}, Media: f.media,
		Log: f.book.Logger("drops"), Clock: f.clock, KeepAlive: -1}, f.events)
	require.NoError(t, err)
	defer p.Close()
	require.True(t, p.Register())
	require.Eventually(t, func() bool { return len(f.clock.Pending()) == 1 }, waitFor, time.Millisecond)
	for elapsed := time.Duration(0); ; {
		pending := f.clock.Pending()
		require.Len(t, pending, 1, "one reconnect planned at a time")
		if elapsed+pending[0] > 10*time.Second {
			break
		}
		elapsed += pending[0]
		n := f.dialer.dialCount()
		f.clock.Advance(pending[0])
		require.Eventually(t, func() bool { return f.dialer.dialCount() == n+1 && len(f.clock.Pending()) == 1 },
			waitFor, time.Millisecond)
	}
	assert.LessOrEqual(t, f.dialer.dialCount(), 6, "dials in 10 s")
}

// After a short-lived link the next reconnect waits longer; after a link that
// stayed registered for 30 s it comes within a second again.
func TestBackoffAfterShortAndStableLinks(t *testing.T) {
	f := newRegisteredFixture(t)
	reconnect := func() time.Duration {
		f.conn.drop(errors.New("1006"))
		var pending []time.Duration
		require.Eventually(t, func() bool { pending = f.clock.Pending(); return len(pending) == 1 }, waitFor, time.Millisecond)
		f.clock.Advance(pending[0])
		f.conn = f.dialer.waitConn(t)
		require.Eventually(t, func() bool { return f.phone.Status() == "registered" }, waitFor, time.Millisecond)
		// The link's stability is measured from when the phone heard the
		// registration succeed, which follows the status by a moment.
		require.Eventually(t, func() bool {
			f.phone.mu.Lock()
			defer f.phone.mu.Unlock()
			return f.phone.link != nil && !f.phone.link.registeredAt.IsZero()
		}, waitFor, time.Millisecond)
		return pending[0]
	}
	assert.LessOrEqual(t, reconnect(), 625*time.Millisecond, "a first drop: within a second")
	assert.GreaterOrEqual(t, reconnect(), 750*time.Millisecond, "dropped again at once: backing off")
	f.clock.Advance(stableLink)
	assert.LessOrEqual(t, reconnect(), 625*time.Millisecond, "after 30 s registered: a new outage")
}

// Tokens in a wsUrl's query are secrets: never logged.
func TestServerURLTokensAreNotLogged(t *testing.T) {
	book := logs.NewBook(1000)
	dialer := newFakeDialer(t, registrar(t))
	info := testAccountInfo()
	info.WSURLs = []string{"wss://a.example.test/ws?token=SECRET-A", "wss://b.example.test/ws?token=SECRET-B"}
	p, err := New(info, Deps{Dialer: urlDialer{dialer, info.WSURLs[0]}, Media: &fakeMedia{},
		Log: book.Logger("tokens"), Clock: clocktest.New(), KeepAlive: -1}, &fakeListener{})
	require.NoError(t, err)
	require.True(t, p.Register())
	conn := dialer.waitConn(t)
	conn.drop(errors.New("gone from wss://b.example.test/ws?token=SECRET-B"))
	require.Eventually(t, func() bool { return strings.Contains(book.Text(), "lost") }, waitFor, time.Millisecond)
	p.Close()
	text := book.Text()
	assert.Contains(t, text, "wss://a.example.test/ws?token=redacted")
	assert.Contains(t, text, "wss://b.example.test/ws?token=redacted")
	assert.NotContains(t, text, "SECRET")
	assert.NotContains(t, info.String(), "SECRET")
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

// A registrar whose challenge the SDK cannot answer (only qop="auth-int")
// gets one REGISTER and one "terminated", then a retry much later on the same
// connection: no reconnect loop (it was 12 reconnects and 24 app callbacks in
// 6 s).
func TestUnanswerableChallengeDoesNotLoopReconnecting(t *testing.T) {
	f := newFixture(t)
	f.dialer.respond = func(req *sip.Request) []string {
		return []string{simpleReply(req, 401, "Unauthorized",
			`WWW-Authenticate: Digest realm="example.test", nonce="x", qop="auth-int"`)}
	}
	require.True(t, f.phone.Register())
	f.conn = f.dialer.waitConn(t)
	f.events.waitRegister(t, "terminated")
	for elapsed := time.Duration(0); elapsed < 6*time.Second; elapsed += 100 * time.Millisecond {
		f.clock.Advance(100 * time.Millisecond)
	}
	require.Eventually(t, func() bool { return len(registers(f.conn)) == 2 }, waitFor, time.Millisecond,
		"retried once in 6 s (after 3–5 s)")
	assert.Equal(t, 1, f.dialer.dialCount(), "on the same connection")
	assert.False(t, f.conn.isClosed())
	require.Eventually(t, func() bool { return f.phone.Status() == "terminated" }, waitFor, time.Millisecond)
	assert.Equal(t, []string{"sent_request", "terminated"}, f.events.registerEvents())
}
