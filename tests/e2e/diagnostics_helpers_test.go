package e2e

import (
	"fmt"
	"testing"
	"time"

	"github.com/webphone/exotelsdk/tests/browser"
)

// diagKV is one diagnosticsKeyValueCallback(key, status, description) as
// the page recorded it; T is milliseconds since the page started.
type diagKV struct {
	Status      any     `json:"status"`
	Description string  `json:"description"`
	T           float64 `json:"t"`
}

// diagKeyValues lists what client reported for key, in order.
func diagKeyValues(t testing.TB, page *browser.Page, client, key string) []diagKV {
	t.Helper()
	var out []diagKV
	page.Eval(t, fmt.Sprintf(`harness.keyValues(%q, %q)`, client, key), &out)
	return out
}

// diagLevels are the float statuses of a level key ("mic", "speaker"), and
// whether every description said "<key> ok".
func diagLevels(t testing.TB, page *browser.Page, client, key string) (lv []float64, allOK bool) {
	t.Helper()
	allOK = true
	for _, kv := range diagKeyValues(t, page, client, key) {
		f, ok := kv.Status.(float64)
		if !ok {
			t.Fatalf("%s status %v is not a number", key, kv.Status)
		}
		lv = append(lv, f)
		allOK = allOK && kv.Description == key+" ok"
	}
	return lv, allOK
}

// diagFinalKeys waits until each key has a final status (not "waiting") and
// returns the last report of each.
func diagFinalKeys(t testing.TB, page *browser.Page, client string, keys []string, timeout time.Duration) map[string]diagKV {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		out := map[string]diagKV{}
		for _, k := range keys {
			kvs := diagKeyValues(t, page, client, k)
			if n := len(kvs); n > 0 && kvs[n-1].Status != "waiting" {
				out[k] = kvs[n-1]
			}
		}
		if len(out) == len(keys) {
			return out
		}
		if time.Now().After(deadline) {
			t.Fatalf("network diagnostics did not report %v within %s; got %v", keys, timeout, out)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// diagStartNetwork starts the network diagnostics of client and returns the
// page time (ms) it started at.
func diagStartNetwork(t testing.TB, page *browser.Page, client string) float64 {
	t.Helper()
	var t0 float64
	page.Eval(t, fmt.Sprintf(`(() => { const t0 = performance.now(); harness.clients[%q].startNetworkDiagnostics(); return t0; })()`, client), &t0)
	return t0
}

// diagLastT is the latest time among the reports.
func diagLastT(kvs map[string]diagKV) float64 {
	var m float64
	for _, kv := range kvs {
		if kv.T > m {
			m = kv.T
		}
	}
	return m
}

// diagClient makes an ExotelWebClient without an account, with diagnostics on.
func diagClient(t testing.TB, page *browser.Page, client string) {
	t.Helper()
	page.Eval(t, fmt.Sprintf(`harness.clients[%q] = new exotelSDK.ExotelWebClient(); harness.diagnostics(%q)`, client, client), nil)
}

func maxOf(v []float64) float64 {
	m := 0.0
	for _, x := range v {
		if x > m {
			m = x
		}
	}
	return m
}
