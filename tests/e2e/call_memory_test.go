package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/webphone/exotelsdk/tests/browser"
	"github.com/webphone/exotelsdk/tests/farend"
	"github.com/webphone/exotelsdk/tests/kamailio"
)

// Ended calls do not stay in memory: once the page no longer holds a
// call's object, the SDK lets the call go (its Go side, its peer
// connection), while an object the page still holds keeps working.
func TestEndedCallsAreLetGo(t *testing.T) {
	srv := kamailio.Start(t, kamailio.Options{})
	base := browser.Serve(t)
	page := browser.Launch(t, browser.Options{}).OpenWith(t, base+"/tests/pages/phone.html",
		browser.OpenOptions{InitScript: `window.exotelsdkDebugHooks = {};`})
	page.Eval(t, `harness.create('alice', `+js(t, account(t, srv, "alice"))+`).then(() => harness.clients.alice.DoRegister())`, nil)
	waitEvent(t, page, "register:alice", "registered", 10*time.Second)
	bob := farend.New(t, farend.Config{User: "bob", Domain: srv.Domain, Server: srv.UDPAddr})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	count := func(ev string) string {
		return fmt.Sprintf(`harness.events.filter(e => e.kind === 'call:alice' && e.args[1] === %q).length`, ev)
	}
	const calls = 6
	for i := 0; i < calls; i++ {
		call, err := bob.Dial(ctx, "alice", farend.CallOptions{})
		require.NoError(t, err)
		page.WaitUntil(t, fmt.Sprintf(`%s > %d`, count("incoming"), i), 20*time.Second)
		page.Eval(t, `harness.clients.alice.getCall().Answer()`, nil)
		page.WaitUntil(t, fmt.Sprintf(`%s > %d`, count("connected"), i), 20*time.Second)
		require.NoError(t, call.WaitStatus(ctx, 200))
		require.NoError(t, call.Hangup(ctx))
		page.WaitUntil(t, fmt.Sprintf(`%s > %d`, count("terminated"), i), 20*time.Second)
	}
	// The page keeps the last call's object (harness.lastCall) and none of
	// the others: after garbage collections at most that one and one more
	// (seen here: the engine may hold a recent object a little longer) are
	// kept. Before the SDK let calls go, all of them stayed.
	kept := -1
	defer func() { t.Logf("calls kept: %d", kept) }()
	require.Eventually(t, func() bool {
		page.JSHeapUsed(t) // collects garbage
		var stats map[string]float64
		page.Eval(t, `exotelsdkDebugHooks.memStats()`, &stats)
		n, reported := stats["callObjects"]
		require.True(t, reported, "memStats reports callObjects: %v", stats)
		kept = int(n)
		return kept <= 2
	}, 30*time.Second, 200*time.Millisecond, "ended calls let go")
	t.Logf("calls kept after %d calls: %d", calls, kept)

	// The object the page kept still answers, as an ended call.
	var cause string
	page.Eval(t, `harness.lastCall('alice').callDetails().callEndCause`, &cause)
	assert.Equal(t, "remote-hangup", cause)
	var ok bool
	page.Eval(t, `harness.lastCall('alice').Hangup()`, &ok)
	assert.False(t, ok, "Hangup on the ended call")
	var state string
	page.Eval(t, `harness.lastCall('alice').callState`, &state)
	assert.Equal(t, "terminated", state)
	// A method taken off a call object and called on something else is refused, not thrown.
	page.Eval(t, `harness.lastCall('alice').Hangup.call({})`, &ok)
	assert.False(t, ok)
	requireNoExceptions(t, page)
}

// The same in a follower tab: the proxies of the leader's ended calls are
// let go once the page drops them (each proxy had a function per method
// that could never be released, and so stayed).
func TestEndedCallsOfAnotherTabAreLetGo(t *testing.T) {
	f := newTabsFixtureOpening(t, 2, nil, browser.OpenOptions{InitScript: `window.exotelsdkDebugHooks = {};`})
	_, followers := f.split(t)
	follower, bob, ctx := followers[0], f.bob, f.ctx

	const calls = 6
	for i := 0; i < calls; i++ {
		call, err := bob.Dial(ctx, "alice", farend.CallOptions{})
		require.NoError(t, err)
		follower.WaitUntil(t, `harness.clients.alice.getCalls().length === 1`, 20*time.Second)
		var live map[string]float64
		follower.Eval(t, `exotelsdkDebugHooks.memStats()`, &live)
		require.GreaterOrEqual(t, live["callObjects"], 1.0, "the proxy is a call object (memStats counts it)")
		var ok bool
		follower.Eval(t, `harness.clients.alice.getCall().Answer()`, &ok)
		require.True(t, ok)
		require.NoError(t, call.WaitStatus(ctx, 200))
		follower.WaitUntil(t, `harness.clients.alice.getCall().callState === 'connected'`, 20*time.Second)
		require.NoError(t, call.Hangup(ctx))
		follower.WaitUntil(t, `harness.clients.alice.getCalls().length === 0`, 20*time.Second)
	}
	kept := -1
	defer func() { t.Logf("proxies kept: %d", kept) }()
	require.Eventually(t, func() bool {
		follower.JSHeapUsed(t) // collects garbage
		var stats map[string]float64
		follower.Eval(t, `exotelsdkDebugHooks.memStats()`, &stats)
		kept = int(stats["callObjects"])
		return kept <= 1
	}, 30*time.Second, 200*time.Millisecond, "the proxies of ended calls let go")
	t.Logf("proxies kept after %d calls: %d", calls, kept)
	requireNoExceptions(t, follower)
}
