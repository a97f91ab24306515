package e2e

import (
	"fmt"
	"net"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/webphone/exotelsdk/tests/browser"
	"github.com/webphone/exotelsdk/tests/coturn"
	"github.com/webphone/exotelsdk/tests/kamailio"
)

// networkBound is what the network test may take: 5 s of gathering (or of
// WebSocket probe), plus slack for a loaded machine.
const networkBound = 6500 * time.Millisecond

var iceKeys = []string{"tcp", "udp", "host", "srflx"}

// registeredPage is a page whose client "alice" is registered to srv, with
// diagnostics initialised.
func registeredPage(t *testing.T, srv *kamailio.Server) (*browser.Page, string) {
	t.Helper()
	page := browser.Launch(t, browser.Options{}).Open(t, browser.Serve(t)+"/tests/pages/phone.html")
	acct := account(t, srv, "alice")
	page.Eval(t, `harness.create('alice', `+js(t, acct)+`).then(() => harness.clients.alice.DoRegister())`, nil)
	waitEvent(t, page, "register:alice", "registered", 10*time.Second)
	page.Eval(t, `harness.diagnostics('alice')`, nil)
	u, err := url.Parse(srv.WSURL)
	require.NoError(t, err)
	return page, "ws://" + u.Host + "/ws" // how Exotel builds it from domain, port and endpoint
}

// runNetworkTest clears the recorded events, runs the network test and
// returns its final reports and how long it took (from the call to the last
// report, in page time).
func runNetworkTest(t *testing.T, page *browser.Page, keys []string) (map[string]diagKV, time.Duration) {
	t.Helper()
	page.Eval(t, `harness.events.length = 0`, nil)
	t0 := diagStartNetwork(t, page, "alice")
	kv := diagFinalKeys(t, page, "alice", keys, 15*time.Second)
	took := time.Duration((diagLastT(kv) - t0) * float64(time.Millisecond))
	page.WaitUntil(t, `harness.lastReport('alice').includes('network test finished')`, 5*time.Second)
	var report string
	page.Eval(t, `harness.lastReport('alice')`, &report)
	var parts []string // the last run's timings, from the report
	for _, line := range strings.Split(report, "\n") {
		if strings.HasPrefix(line, "  ") && (strings.Contains(line, " wss ") || strings.Contains(line, " ICE: ")) {
			parts = append(parts, strings.TrimSpace(line))
		}
	}
	if len(parts) >= 2 {
		t.Logf("report: %s | %s", parts[len(parts)-2], parts[len(parts)-1])
	}
	for _, k := range keys {
		first := diagKeyValues(t, page, "alice", k)[0]
		if k != "wss" && k != "userReg" {
			assert.Equal(t, "waiting", first.Status, "%s is announced as waiting first", k)
		}
	}
	return kv, took
}

// TestDiagnosticsNetworkWithCoturn: against a registered Kamailio and a real
// coturn (through a port-mapping NAT, so that Chromium sees a reflexive
// address distinct from its host address), every key is connected, each
// with the ICE candidate that proves it.
func TestDiagnosticsNetworkWithCoturn(t *testing.T) {
	srv := kamailio.Start(t, kamailio.Options{})
	turn := coturn.Start(t, coturn.Options{Password: "turn-secret-4417"})
	page, wsURL := registeredPage(t, srv)
	page.Eval(t, fmt.Sprintf(`harness.clients.alice.setIceServers([{urls: %q}, {urls: %q, username: %q, credential: %q}])`,
		turn.STUNURL(true), turn.TURNURL(true, ""), turn.User, turn.Password), nil)
	var servers string
	page.Eval(t, `JSON.stringify(harness.clients.alice.getIceServers().map(s => [s.urls, s.username, s.credential]))`, &servers)
	assert.Equal(t, fmt.Sprintf(`[[[%q],null,null],[[%q],%q,%q]]`,
		turn.STUNURL(true), turn.TURNURL(true, ""), turn.User, turn.Password), servers, "getIceServers gives back what was set")

	keys := append([]string{"wss", "userReg", "relay"}, iceKeys...)
	kv, took := runNetworkTest(t, page, keys)
	t.Logf("network test with a reachable STUN/TURN server took %s", took)
	for k, v := range kv {
		t.Logf("  %-7s %-12v %s", k, v.Status, v.Description)
	}
	assert.Equal(t, diagKV{Status: "connected", Description: wsURL, T: kv["wss"].T}, kv["wss"])
	assert.Equal(t, diagKV{Status: "registered", Description: "alice", T: kv["userReg"].T}, kv["userReg"])
	for key, typ := range map[string]string{"host": "typ host", "srflx": "typ srflx", "relay": "typ relay", "udp": "typ srflx", "tcp": " tcp "} {
		assert.Equal(t, "connected", kv[key].Status, key)
		assert.Contains(t, kv[key].Description, typ, key)
		assert.True(t, strings.HasPrefix(kv[key].Description, "candidate:"), key)
	}
	_, natPort, _ := net.SplitHostPort(turn.NATAddr)
	assert.NotContains(t, kv["srflx"].Description, " "+natPort+" ", "the mapped port is the NAT's outside port")
	assert.Less(t, took, networkBound)

	page.WaitUntil(t, `harness.lastReport('alice').includes('network test finished')`, 5*time.Second)
	var report string
	page.Eval(t, `harness.lastReport('alice')`, &report)
	assert.Contains(t, report, "srflx connected candidate:")
	assert.Contains(t, report, "relay connected candidate:")
	assert.Contains(t, report, turn.TURNURL(true, "")+" (with credentials)")
	assert.NotContains(t, report, turn.Password, "the TURN credential never appears")
	requireNoExceptions(t, page)
}

// TestDiagnosticsNetworkServersDown: with Kamailio stopped "wss" is
// disconnected (and "userReg" unregistered); a STUN/TURN server on a closed
// port, or one that never answers, leaves srflx and relay disconnected within
// the bound. With Kamailio back, "wss" is connected again.
func TestDiagnosticsNetworkServersDown(t *testing.T) {
	srv := kamailio.Start(t, kamailio.Options{})
	page, wsURL := registeredPage(t, srv)
	srv.Stop()
	waitEvent(t, page, "register:alice", "unregistered", 10*time.Second)

	closed := closedUDPPort(t)
	silent, err := net.ListenPacket("udp4", "127.0.0.1:0") // reads nothing, answers nothing
	require.NoError(t, err)
	t.Cleanup(func() { silent.Close() })
	for _, tc := range []struct {
		name, addr string
		turn       bool
	}{
		{"STUN on a closed port", closed, false},
		{"STUN and TURN on a closed port", closed, true},
		{"STUN and TURN on a silent server", silent.LocalAddr().String(), true},
	} {
		servers := fmt.Sprintf(`[{urls: 'stun:%s'}]`, tc.addr)
		keys := append([]string{"wss", "userReg"}, iceKeys...)
		if tc.turn {
			servers = fmt.Sprintf(`[{urls: 'stun:%s'}, {urls: 'turn:%s', username: 'u', credential: 'p'}]`, tc.addr, tc.addr)
			keys = append(keys, "relay")
		}
		page.Eval(t, `harness.clients.alice.setIceServers(`+servers+`)`, nil)
		kv, took := runNetworkTest(t, page, keys)
		t.Logf("network test with Kamailio down and %s took %s", tc.name, took)
		assert.Equal(t, diagKV{Status: "disconnected", Description: wsURL, T: kv["wss"].T}, kv["wss"], tc.name)
		assert.Equal(t, "unregistered", kv["userReg"].Status, tc.name)
		assert.Equal(t, diagKV{Status: "disconnected", Description: "", T: kv["srflx"].T}, kv["srflx"], tc.name)
		if tc.turn {
			assert.Equal(t, diagKV{Status: "disconnected", Description: "", T: kv["relay"].T}, kv["relay"], tc.name)
		}
		assert.Equal(t, "connected", kv["host"].Status, "%s: host candidates need no server", tc.name)
		assert.Less(t, took, networkBound, tc.name)
	}

	srv.Restart(t)
	page.Eval(t, `harness.clients.alice.setIceServers([])`, nil)
	kv, took := runNetworkTest(t, page, append([]string{"wss", "userReg"}, iceKeys...))
	t.Logf("network test without STUN servers took %s", took)
	assert.Equal(t, "connected", kv["wss"].Status, "Kamailio is back")
	assert.Equal(t, "disconnected", kv["srflx"].Status, "no STUN server configured")
	assert.Empty(t, diagKeyValues(t, page, "alice", "relay"), "no relay key without a TURN server")
	requireNoExceptions(t, page)
}

// closedUDPPort is a loopback address where nothing listens.
func closedUDPPort(t *testing.T) string {
	t.Helper()
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	require.NoError(t, err)
	addr := pc.LocalAddr().String()
	pc.Close()
	return addr
}
