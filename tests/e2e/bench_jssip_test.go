package e2e

import (
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/webphone/exotelsdk/tests/browser"
	"github.com/webphone/exotelsdk/tests/farend"
	"github.com/webphone/exotelsdk/tests/kamailio"
)

// bundleJsSIP builds JsSIP (a dev dependency) into one script for the
// comparison page, tests/artifacts/jssip.js.
func bundleJsSIP(b *testing.B) {
	root := browser.RepoRoot(b)
	out := filepath.Join(root, "tests", "artifacts", "jssip.js")
	require.NoError(b, os.MkdirAll(filepath.Dir(out), 0o755))
	cmd := exec.Command(filepath.Join(root, "node_modules", ".bin", "esbuild"), "node_modules/jssip/lib/JsSIP.js",
		"--bundle", "--minify", "--format=iife", "--global-name=JsSIP", "--log-level=error", "--outfile="+out)
	cmd.Dir = root
	msg, err := cmd.CombinedOutput()
	require.NoError(b, err, "bundle JsSIP (npm ci first): %s", msg)
}

func jssipAccount(b *testing.B, srv *kamailio.Server) string {
	a := account(b, srv, "alice")
	a["wsUrl"] = srv.WSURL + "ws"
	return js(b, a)
}

// BenchmarkJsSIPPageStartToRegistered is the baseline of
// BenchmarkPageStartToRegistered: JsSIP 3.x from a fresh page.
func BenchmarkJsSIPPageStartToRegistered(b *testing.B) {
	bundleJsSIP(b)
	srv := kamailio.Start(b, kamailio.Options{})
	base := browser.Serve(b)
	br := browser.Launch(b, browser.Options{})
	q := url.Values{"account": {jssipAccount(b, srv)}}
	var samples []float64
	for i := 0; i < b.N; i++ {
		page := br.Open(b, base+"/tests/pages/jssip.html?"+q.Encode())
		page.WaitUntil(b, `bench.of('registered').length > 0`, 10*time.Second)
		var t float64
		page.Eval(b, `bench.of('registered')[0].t`, &t)
		samples = append(samples, t)
		page.Close()
	}
	b.ReportMetric(median(samples), "ms-to-registered(median)")
	b.Logf("JsSIP page start → registered, ms: %v", samples)
}

// BenchmarkJsSIPCallSetup is the baseline of BenchmarkCallSetup.
func BenchmarkJsSIPCallSetup(b *testing.B) {
	bundleJsSIP(b)
	srv := kamailio.Start(b, kamailio.Options{})
	base := browser.Serve(b)
	page := browser.Launch(b, browser.Options{}).Open(b, base+"/tests/pages/jssip.html?"+url.Values{"account": {jssipAccount(b, srv)}}.Encode())
	page.WaitUntil(b, `bench.of('registered').length > 0`, 10*time.Second)
	bob := farend.New(b, farend.Config{User: "bob", Domain: srv.Domain, Server: srv.UDPAddr})
	var toIncoming, toConnected []float64
	for i := 0; i < b.N; i++ {
		sent := time.Now()
		call, err := bob.Dial(page.Context(), "alice", farend.CallOptions{})
		require.NoError(b, err)
		page.WaitUntil(b, fmt.Sprintf(`bench.of('incoming').length > %d`, i), 10*time.Second)
		var incomingAt float64
		page.Eval(b, fmt.Sprintf(`performance.timeOrigin + bench.of('incoming')[%d].t`, i), &incomingAt)
		toIncoming = append(toIncoming, incomingAt-float64(sent.UnixMicro())/1000)
		var d float64
		page.Eval(b, fmt.Sprintf(`new Promise(resolve => {
			const t0 = performance.now();
			bench.answer();
			const poll = () => bench.of('connected').length > %d ? resolve(bench.of('connected')[%d].t - t0) : setTimeout(poll, 1);
			poll();
		})`, i, i), &d)
		toConnected = append(toConnected, d)
		require.NoError(b, call.Hangup(page.Context()))
		page.WaitUntil(b, fmt.Sprintf(`bench.of('ended').length > %d`, i), 10*time.Second)
	}
	b.ReportMetric(median(toIncoming), "ms-INVITE-to-incoming(median)")
	b.ReportMetric(median(toConnected), "ms-Answer-to-connected(median)")
}
