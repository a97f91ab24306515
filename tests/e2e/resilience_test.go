package e2e

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/webphone/exotelsdk/tests/browser"
	"github.com/webphone/exotelsdk/tests/kamailio"
)

// countRegisters counts the REGISTER requests Kamailio logged since it was
// last (re)started.
func countRegisters(t *testing.T, srv *kamailio.Server) int {
	log := srv.LogTail(100000)
	if i := strings.LastIndex(log, "starting kamailio"); i >= 0 {
		log = log[i:]
	}
	return strings.Count(log, "REQ REGISTER")
}

// Kamailio is killed while the page is registered and started again: the
// page reports unregistered, then registered again without any app code.
func TestReconnectAfterServerRestart(t *testing.T) {
	srv := kamailio.Start(t, kamailio.Options{})
	base := browser.Serve(t)
	page := browser.Launch(t, browser.Options{}).Open(t, base+"/tests/pages/phone.html")
	page.Eval(t, `harness.create('alice', `+js(t, account(t, srv, "alice"))+`).then(() => harness.clients.alice.DoRegister())`, nil)
	waitEvent(t, page, "register:alice", "registered", 10*time.Second)

	srv.Stop()
	waitEvent(t, page, "register:alice", "unregistered", 10*time.Second)
	st := status(t, page, "alice")
	assert.Contains(t, []string{"disconnected", "connecting", "websocket_connection_failed"}, st)
	var ok bool
	page.Eval(t, `harness.clients.alice.DoRegister()`, &ok)
	assert.True(t, ok, "DoRegister during a reconnect is a harmless no-op")

	time.Sleep(2 * time.Second) // a few failed attempts while the server is down
	restarted := time.Now()
	srv.Restart(t)
	page.WaitUntil(t, `harness.of('register:alice').filter(s => s === 'registered').length === 2`, 40*time.Second)
	t.Logf("server restart → registered again: %s", time.Since(restarted).Round(time.Millisecond))
	contacts, err := srv.Contacts("alice@" + srv.Domain)
	require.NoError(t, err)
	assert.Len(t, contacts, 1)
	time.Sleep(300 * time.Millisecond)
	assert.Equal(t, 2, countRegisters(t, srv), "one challenged REGISTER and its authorized retry, nothing duplicated")
	assert.Equal(t, "registered", status(t, page, "alice"))
	assert.Empty(t, page.Exceptions())
}

// The WebSocket drops during an answered call (Kamailio restarts): audio keeps
// flowing, the page registers again, and a later Hold and Hangup still reach
// the far end.
func TestCallSurvivesWebSocketDrop(t *testing.T) {
	f := newCallFixture(t, nil)
	call := answered(t, f)
	farLevelEventually(t, call, func(l float64) bool { return l > -45 }, "loud")

	f.srv.Stop()
	waitEvent(t, f.page, "register:alice", "unregistered", 10*time.Second)
	farLevelEventually(t, call, func(l float64) bool { return l > -45 }, "loud while signalling is down")
	f.srv.Restart(t)
	f.page.WaitUntil(t, `harness.of('register:alice').filter(s => s === 'registered').length === 2`, 40*time.Second)

	var held bool
	f.page.Eval(t, `harness.clients.alice.getCall().Hold()`, &held)
	require.True(t, held, "hold after the reconnect")
	reinvite, err := call.WaitRequest(f.ctx, "INVITE")
	require.NoError(t, err)
	assert.Equal(t, "sendonly", direction(string(reinvite.Body())))
	f.page.Eval(t, `harness.clients.alice.getCall().Hangup()`, nil)
	reason, err := call.WaitEnded(f.ctx)
	require.NoError(t, err)
	assert.Equal(t, "remote BYE", reason)
	assert.Equal(t, []string{"incoming", "connected", "callEnded"}, f.callEvents(t))
	requireNoExceptions(t, f.page)
}

// A server that stops answering (even pings) is detected by the keep-alive
// and replaced by a new connection.
func TestSilentServerDetectedByKeepAlive(t *testing.T) {
	reg := startFakeRegistrar(t)
	_, port, _ := net.SplitHostPort(reg.addr)
	base := browser.Serve(t)
	page := browser.Launch(t, browser.Options{}).Open(t, base+"/tests/pages/phone.html")
	acct := map[string]any{"userName": "alice", "secret": "x", "sipdomain": "example.test",
		"domain": reg.addr, "port": port, "security": "ws", "endpoint": "ws",
		"keepAliveInterval": 1, "keepAliveTimeout": 2}
	page.Eval(t, `harness.create('alice', `+js(t, acct)+`).then(() => harness.clients.alice.DoRegister())`, nil)
	waitEvent(t, page, "register:alice", "registered", 10*time.Second)
	time.Sleep(2500 * time.Millisecond) // pings answered: the connection stays
	require.EqualValues(t, 1, reg.connections.Load(), "answered pings keep the connection")

	reg.silent.Store(true)
	wentSilent := time.Now()
	waitEvent(t, page, "register:alice", "unregistered", 10*time.Second)
	detected := time.Since(wentSilent)
	t.Logf("silent server detected after %s (interval 1 s + pong timeout 2 s)", detected.Round(time.Millisecond))
	assert.Less(t, detected, 4*time.Second)
	reg.silent.Store(false)
	page.WaitUntil(t, `harness.of('register:alice').filter(s => s === 'registered').length === 2`, 10*time.Second)
	assert.GreaterOrEqual(t, reg.connections.Load(), int32(2), "a new connection replaced the dead one")
	assert.Empty(t, page.Exceptions())
}

// A network flap (offline, then online, through the DevTools protocol)
// pauses reconnecting, and coming back online restarts ICE on the call by
// re-INVITE with fresh ICE credentials; the audio goes on.
func TestNetworkFlapRestartsICE(t *testing.T) {
	f := newCallFixture(t, nil)
	call := answered(t, f)
	oldUfrag := iceUfrag(string(call.Response().Body()))
	f.page.SetOffline(t, true)
	time.Sleep(500 * time.Millisecond)
	f.page.SetOffline(t, false)
	reinvite, err := call.WaitRequest(f.ctx, "INVITE")
	require.NoError(t, err)
	newUfrag := iceUfrag(string(reinvite.Body()))
	assert.NotEmpty(t, newUfrag)
	assert.NotEqual(t, oldUfrag, newUfrag, "the re-INVITE restarts ICE")
	farLevelEventually(t, call, func(l float64) bool { return l > -45 }, "loud after the ICE restart")
	var restarts float64
	f.page.WaitUntil(t, `harness.clients.alice.getCall().callDetails().iceRestarts === 1`, 10*time.Second)
	f.page.Eval(t, `harness.clients.alice.getCall().callDetails().iceRestarts`, &restarts)
	assert.Equal(t, 1.0, restarts)
	assert.Equal(t, "registered", status(t, f.page, "alice"))
	requireNoExceptions(t, f.page)
}

func iceUfrag(sdp string) string {
	for _, line := range strings.Split(sdp, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "a=ice-ufrag:"); ok {
			return v
		}
	}
	return ""
}
