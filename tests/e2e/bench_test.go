package e2e

import (
	"fmt"
	"net/url"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/webphone/exotelsdk/tests/browser"
	"github.com/webphone/exotelsdk/tests/farend"
	"github.com/webphone/exotelsdk/tests/kamailio"
)

// Benchmarks print the figures the project promises (scripts/bench.sh runs
// them): they are not tests and never run in the test suite.

func median(xs []float64) float64 {
	sort.Float64s(xs)
	if len(xs) == 0 {
		return 0
	}
	return xs[len(xs)/2]
}

// BenchmarkPageStartToRegistered loads a fresh page that registers from its
// first script and reports the time from navigation start to "registered".
func BenchmarkPageStartToRegistered(b *testing.B) {
	srv := kamailio.Start(b, kamailio.Options{})
	base := browser.Serve(b)
	br := browser.Launch(b, browser.Options{})
	q := url.Values{"autoregister": {js(b, account(b, srv, "alice"))}}
	var samples []float64
	phases := map[string][]float64{}
	for i := 0; i < b.N; i++ {
		page := br.Open(b, base+"/tests/pages/phone.html?"+q.Encode())
		waitEvent(b, page, "register:auto", "registered", 10*time.Second)
		var t float64
		page.Eval(b, `harness.events.find(e => e.kind === 'register:auto' && e.args[0] === 'registered').t`, &t)
		samples = append(samples, t)
		var marks map[string]float64
		page.Eval(b, `Object.fromEntries(performance.getEntriesByType('mark').filter(m => m.name.startsWith('exotelsdk:')).map(m => [m.name.slice(10), m.startTime]))`, &marks)
		for name, at := range marks {
			phases[name] = append(phases[name], at)
		}
		page.Eval(b, `new Promise(r => { harness.clients.auto.UnRegister(); setTimeout(r, 50); })`, nil)
		page.Close()
	}
	b.ReportMetric(median(samples), "ms-to-registered(median)")
	b.Logf("page start → registered, ms: %v", samples)
	for _, name := range []string{"load-start", "instantiated", "ready", "register", "ws-dial", "ws-open"} {
		b.Logf("median %-12s at %6.1f ms", name, median(phases[name]))
	}
}

// BenchmarkCallSetup reports INVITE sent by the far end → "incoming" in the
// page, and Answer() → "connected".
func BenchmarkCallSetup(b *testing.B) {
	srv := kamailio.Start(b, kamailio.Options{})
	base := browser.Serve(b)
	page := browser.Launch(b, browser.Options{}).Open(b, base+"/tests/pages/phone.html")
	page.Eval(b, `harness.create('alice', `+js(b, account(b, srv, "alice"))+`).then(() => harness.clients.alice.DoRegister())`, nil)
	waitEvent(b, page, "register:alice", "registered", 10*time.Second)
	bob := farend.New(b, farend.Config{User: "bob", Domain: srv.Domain, Server: srv.UDPAddr})
	var toIncoming, toConnected []float64
	for i := 0; i < b.N; i++ {
		n := 3 * i // events per call: incoming, connected, callEnded
		sent := time.Now()
		call, err := bob.Dial(page.Context(), "alice", farend.CallOptions{})
		require.NoError(b, err)
		page.WaitUntil(b, fmt.Sprintf(`harness.of('call:alice').length > %d`, n), 10*time.Second)
		var incomingAt float64
		page.Eval(b, fmt.Sprintf(`performance.timeOrigin + harness.events.filter(e => e.kind === 'call:alice')[%d].t`, n), &incomingAt)
		toIncoming = append(toIncoming, incomingAt-float64(sent.UnixMicro())/1000)
		var d float64
		page.Eval(b, fmt.Sprintf(`new Promise(resolve => {
			const t0 = performance.now();
			harness.clients.alice.getCall().Answer();
			const poll = () => { const ev = harness.events.filter(e => e.kind === 'call:alice'); if (ev.length > %d) resolve(ev[%d].t - t0); else setTimeout(poll, 1); };
			poll();
		})`, n+1, n+1), &d)
		toConnected = append(toConnected, d)
		require.NoError(b, call.Hangup(page.Context()))
		page.WaitUntil(b, fmt.Sprintf(`harness.of('call:alice').length > %d`, n+2), 10*time.Second)
	}
	b.ReportMetric(median(toIncoming), "ms-INVITE-to-incoming(median)")
	b.ReportMetric(median(toConnected), "ms-Answer-to-connected(median)")
	b.Logf("INVITE → incoming ms: %v", toIncoming)
	b.Logf("Answer → connected ms: %v", toConnected)
}
