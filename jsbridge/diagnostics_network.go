//go:build js && wasm

package jsbridge

import (
	"context"
	"sync"
	"syscall/js"
	"time"

	sdkdiag "github.com/webphone/exotelsdk/sdk/diagnostics"
	"github.com/webphone/exotelsdk/sdk/logs"
)

// wsProbeLimit bounds the WebSocket probe of the network test.
const wsProbeLimit = 5 * time.Second

// networkTest is a running startNetworkDiagnostics.
type networkTest struct {
	cancel context.CancelFunc
}

// startNetworkDiagnostics(): in parallel, a real WebSocket to the configured
// server ("wss", then "userReg" from the registration state) and a real ICE
// gathering ("tcp", "udp", "host", "srflx", "relay" when TURN is configured,
// and "ipv6"). Each key gets "waiting" at once and one final
// connected/disconnected; the whole test is bounded by about 5 s.
func (c *client) startNetworkTest([]js.Value) any {
	d := c.diag()
	ctx, cancel := context.WithCancel(context.Background())
	nt := &networkTest{cancel: cancel}
	if !d.beginNetwork(nt) {
		cancel()
		logger.Warnf("startNetworkDiagnostics: the network test is already running")
		return nil
	}
	spawn("network test", func() {
		finished := c.runNetworkTest(ctx, d)
		cancel()
		d.endNetwork(nt) // a new test may start as soon as every key is reported
		if finished {
			c.sendReport(d)
		}
	})
	return nil
}

// stopNetworkDiagnostics(): abandons a running network test; keys not yet
// reported are not reported.
func (c *client) stopNetworkTest([]js.Value) any {
	d := c.diag()
	nt := d.endNetwork(nil)
	if nt != nil {
		nt.cancel()
		d.note("network test stopped before it finished")
	}
	return nil
}

// runNetworkTest reports every key; it tells whether it ran to the end.
func (c *client) runNetworkTest(ctx context.Context, d *diagnostics) bool {
	start := time.Now()
	servers := c.settings.ICEServers()
	keys := []string{"tcp", "udp", "host", "srflx"}
	if sdkdiag.HasServer(servers, "turn") {
		keys = append(keys, "relay")
	}
	keys = append(keys, "ipv6")
	for _, k := range keys {
		d.emit(k, "waiting", "")
	}
	d.note("network test started; ICE servers: %s", sdkdiag.DescribeServers(servers))

	var wg sync.WaitGroup
	wg.Add(2)
	spawn("network test: WebSocket", func() {
		defer wg.Done()
		status, where := c.probeWebSocket(ctx)
		if ctx.Err() != nil {
			return
		}
		d.emit("wss", status, logs.RedactURL(where))
		d.note("wss %s %s (%s)", status, logs.RedactURL(where), since(start))
		reg, user := c.registrationState()
		d.emit("userReg", reg, user)
		d.note("userReg %s %s", reg, user)
	})
	spawn("network test: ICE", func() {
		defer wg.Done()
		g, err := gatherCandidates(ctx, servers)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			d.note("ICE gathering failed: %v", err)
		}
		for _, cand := range g.Candidates {
			diagLog.Debugf("gathered %s", cand.Line)
		}
		found := sdkdiag.Classify(g.Candidates)
		for _, k := range keys {
			if cand, ok := found[k]; ok {
				d.emit(k, "connected", cand.Line)
				d.note("%s connected %s", k, cand.Line)
			} else {
				d.emit(k, "disconnected", "")
				d.note("%s disconnected", k)
			}
		}
		how := "gathering complete"
		if !g.Complete {
			how = "stopped waiting"
		}
		d.note("ICE: %d candidates, %s after %s", len(g.Candidates), how, since(start))
	})
	wg.Wait()
	if ctx.Err() != nil {
		return false
	}
	d.note("network test finished in %s", since(start))
	return true
}

func since(t time.Time) string { return time.Since(t).Round(time.Millisecond).String() }

// probeWebSocket opens a real WebSocket (subprotocol sip) to each configured
// server, in parallel: "connected" and the URL of the first that opens, else
// "disconnected" and the first URL.
func (c *client) probeWebSocket(ctx context.Context) (status, where string) {
	urls := c.webSocketURLs()
	if len(urls) == 0 {
		return "disconnected", ""
	}
	ctx, cancel := context.WithTimeout(ctx, wsProbeLimit)
	defer cancel()
	type result struct {
		url string
		err error
	}
	results := make(chan result, len(urls))
	for _, u := range urls {
		u := u
		spawn("WebSocket probe", func() {
			t, err := wsDialer{}.Dial(ctx, u, func([]byte) {}, func(error) {})
			if err == nil {
				t.Close()
			}
			results <- result{u, err}
		})
	}
	for range urls {
		r := <-results
		if r.err == nil {
			return "connected", r.url
		}
		diagLog.Infof("WebSocket probe of %s failed: %v", logs.RedactURL(r.url), r.err)
	}
	return "disconnected", urls[0]
}

// registrationState is "registered" or "unregistered", and the userName.
func (c *client) registrationState() (string, string) {
	p := c.currentPhone("")
	_, user := c.registerCallback()
	if p != nil && p.Status() == "registered" {
		return "registered", user
	}
	return "unregistered", user
}

// webSocketURLs are the servers the client's phone connects to.
func (c *client) webSocketURLs() []string {
	if p := c.currentPhone(""); p != nil {
		return p.WebSocketURLs()
	}
	return nil
}

// beginNetwork makes nt the running network test unless one runs.
func (d *diagnostics) beginNetwork(nt *networkTest) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.network != nil {
		return false
	}
	d.network = nt
	return true
}

// endNetwork forgets the running network test if it is nt (any, if nt is
// nil) and returns what was running.
func (d *diagnostics) endNetwork(nt *networkTest) *networkTest {
	d.mu.Lock()
	defer d.mu.Unlock()
	was := d.network
	if nt == nil || was == nt {
		d.network = nil
	}
	return was
}
