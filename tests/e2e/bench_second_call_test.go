package e2e

import (
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/webphone/exotelsdk/tests/browser"
	"github.com/webphone/exotelsdk/tests/farend"
	"github.com/webphone/exotelsdk/tests/kamailio"
)

// TestBenchSecondCall prints Answer() → "connected" for a first call and
// for a second call answered while the first is up (maxCalls 2: Answer()
// holds the first, then answers), median of RUNS pairs: issue 9's budget
// is the second no slower than the first.
func TestBenchSecondCall(b *testing.T) {
	runs := benchOnly(b)
	srv := kamailio.Start(b, kamailio.Options{})
	base := browser.Serve(b)
	acct := map[string]any{"maxCalls": 2}
	for k, v := range account(b, srv, "alice") {
		acct[k] = v
	}
	page := browser.Launch(b, browser.Options{}).Open(b, base+"/tests/pages/phone.html?"+url.Values{"autoregister": {js(b, acct)}}.Encode())
	page.WaitUntil(b, ours.registeredAt+` >= 0`, 120*time.Second)
	bob := farend.New(b, farend.Config{User: "bob", Domain: srv.Domain, Server: srv.UDPAddr})
	carol := farend.New(b, farend.Config{User: "carol", Domain: srv.Domain, Server: srv.UDPAddr})
	var first, second []float64
	for i := 0; i < runs; i++ {
		n := 2 * i // calls so far
		call1, err := bob.Dial(page.Context(), "alice", farend.CallOptions{})
		require.NoError(b, err)
		page.WaitUntil(b, fmt.Sprintf(`%s > %d`, oursCalls.count("incoming"), n), 60*time.Second)
		first = append(first, answerToConnected(b, page, oursCalls, oursCalls.answer, n))
		require.NoError(b, call1.WaitStatus(page.Context(), 200))

		call2, err := carol.Dial(page.Context(), "alice", farend.CallOptions{})
		require.NoError(b, err)
		page.WaitUntil(b, fmt.Sprintf(`%s > %d`, oursCalls.count("incoming"), n+1), 60*time.Second)
		second = append(second, answerToConnected(b, page, oursCalls,
			`harness.clients.auto.getCalls().find(c => c.callState === 'incoming').Answer()`, n+1))
		fmt.Printf("  pair %2d: Answer() → connected, first call %6.1f ms, second (holding the first) %6.1f ms\n", i+1, first[i], second[i])
		require.NoError(b, call2.WaitStatus(page.Context(), 200))
		require.NoError(b, call2.Hangup(page.Context()))
		require.NoError(b, call1.Hangup(page.Context()))
		page.WaitUntil(b, fmt.Sprintf(`%s > %d`, oursCalls.count("callEnded"), n+1), 60*time.Second)
	}
	a, c := median(first), median(second)
	fmt.Printf("\nAnswer() → connected, median of %d, ms:\n  %-36s %8.1f\n  %-36s %8.1f (%.2fx)\n",
		runs, "first call", a, "second call (the first held first)", c, c/a)
}
