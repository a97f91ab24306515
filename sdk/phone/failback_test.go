package phone

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/webphone/exotelsdk/sdk/clock/clocktest"
	"github.com/webphone/exotelsdk/sdk/sipua"
)

// downDialer refuses one URL while it is marked down.
type downDialer struct {
	*fakeDialer
	mu   sync.Mutex
	down map[string]bool
}

func (d *downDialer) setDown(url string, down bool) { d.mu.Lock(); d.down[url] = down; d.mu.Unlock() }

func (d *downDialer) Dial(ctx context.Context, url string, onFrame func([]byte), onClose func(error)) (sipua.Transport, error) {
	d.mu.Lock()
	down := d.down[url]
	d.mu.Unlock()
	if down {
		d.fakeDialer.mu.Lock()
		d.fakeDialer.urls = append(d.fakeDialer.urls, url)
		d.fakeDialer.mu.Unlock()
		return nil, errors.New("refused")
	}
	return d.fakeDialer.Dial(ctx, url, onFrame, onClose)
}

// probes are the pending timers short enough to be failback probes (the
// registration refresh, minutes away, is the other one).
func probes(clk *clocktest.Manual) []time.Duration {
	var out []time.Duration
	for _, d := range clk.Pending() {
		if d <= 80*time.Second {
			out = append(out, d)
		}
	}
	return out
}

const (
	primaryURL = "wss://a.example.test/ws"
	backupURL  = "wss://b.example.test/ws"
)

// failbackFixture is a phone registered on the backup because the first
// server refused it.
func failbackFixture(t *testing.T) (*Phone, *downDialer, *clocktest.Manual, *fakeListener, *fakeConn) {
	dialer := &downDialer{fakeDialer: newFakeDialer(t, registrar(t)), down: map[string]bool{primaryURL: true}}
	clk, events := clocktest.New(), &fakeListener{}
	info := testAccountInfo()
	info.WSURLs = []string{primaryURL, backupURL}
	p, err := New(info, Deps{Dialer: dialer, Media: &fakeMedia{}, Log: newFixture(t).book.Logger("failback"),
		Clock: clk, KeepAlive: -1}, events)
	require.NoError(t, err)
	t.Cleanup(p.Close)
	require.True(t, p.Register())
	backup := dialer.waitConn(t)
	events.waitRegister(t, "registered")
	return p, dialer, clk, events, backup
}

// On a backup the first server is probed with a growing backoff; once it
// answers the phone moves back: un-REGISTER on the backup, REGISTER on the
// first, and the app hears of both connections.
func TestFailsBackToTheFirstServerWhenItReturns(t *testing.T) {
	p, dialer, clk, events, backup := failbackFixture(t)
	var first []time.Duration
	require.Eventually(t, func() bool { first = probes(clk); return len(first) == 1 }, waitFor, time.Millisecond)
	assert.InDelta(t, float64(30*time.Second), float64(first[0]), float64(30*time.Second)/4+1, "the first probe after about 30 s")

	clk.Advance(first[0])
	require.Eventually(t, func() bool { return dialer.dialCount() == 3 }, waitFor, time.Millisecond)
	var second []time.Duration
	require.Eventually(t, func() bool { second = probes(clk); return len(second) == 1 }, waitFor, time.Millisecond)
	assert.InDelta(t, float64(60*time.Second), float64(second[0]), float64(60*time.Second)/4+1, "a failed probe doubles the delay")
	assert.Equal(t, "registered", p.Status(), "a failed probe leaves the backup alone")
	assert.False(t, backup.isClosed())

	dialer.setDown(primaryURL, false)
	clk.Advance(second[0])
	primary := dialer.waitConn(t)
	require.Eventually(t, func() bool { return len(registers(primary)) > 0 }, waitFor, time.Millisecond)
	require.Eventually(t, func() bool { return len(events.registerEvents()) >= 4 }, waitFor, time.Millisecond)
	assert.Equal(t, []string{"sent_request", "registered", "sent_request", "registered"}, events.registerEvents(),
		"no unregistered in between: the phone stays reachable")
	assert.True(t, backup.isClosed(), "the backup connection is closed")
	regs := registers(backup)
	require.NotEmpty(t, regs)
	assert.Equal(t, "0", regs[len(regs)-1].GetHeader("Expires").Value(), "the backup is told the binding is gone")
	conns := events.events("connection")
	require.GreaterOrEqual(t, len(conns), 2)
	tail := conns[len(conns)-2:]
	assert.Equal(t, ConnectionEvent{State: ConnDisconnected, URL: backupURL}, tail[0].conn)
	assert.Equal(t, ConnectionEvent{State: ConnConnected, URL: primaryURL}, tail[1].conn)
	assert.Equal(t, "registered", p.Status())
	assert.Empty(t, probes(clk), "on the first server nothing is probed")
}

// A call in progress puts the move off: the probe is not even dialled.
func TestFailbackWaitsForTheCallsToEnd(t *testing.T) {
	p, dialer, clk, _, _ := failbackFixture(t)
	dialer.setDown(primaryURL, false)
	var pending []time.Duration
	require.Eventually(t, func() bool { pending = probes(clk); return len(pending) == 1 }, waitFor, time.Millisecond)
	c := &Call{}
	require.True(t, p.calls.admit(c, 1))
	clk.Advance(pending[0])
	require.Eventually(t, func() bool { pending = probes(clk); return len(pending) == 1 }, waitFor, time.Millisecond)
	assert.Equal(t, 2, dialer.dialCount(), "no probe during a call")
	p.calls.remove(c)
	clk.Advance(pending[0])
	dialer.waitConn(t)
	require.Eventually(t, func() bool { return len(probes(clk)) == 0 && p.Status() == "registered" }, waitFor, time.Millisecond)
}

// A negative FailbackBase turns it off.
func TestFailbackCanBeTurnedOff(t *testing.T) {
	dialer := &downDialer{fakeDialer: newFakeDialer(t, registrar(t)), down: map[string]bool{primaryURL: true}}
	clk, events := clocktest.New(), &fakeListener{}
	info := testAccountInfo()
	info.WSURLs = []string{primaryURL, backupURL}
	p, err := New(info, Deps{Dialer: dialer, Media: &fakeMedia{}, Log: newFixture(t).book.Logger("failback"),
		Clock: clk, KeepAlive: -1, FailbackBase: -1}, events)
	require.NoError(t, err)
	defer p.Close()
	require.True(t, p.Register())
	dialer.waitConn(t)
	events.waitRegister(t, "registered")
	assert.Empty(t, probes(clk))
}
