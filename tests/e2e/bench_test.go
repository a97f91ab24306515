package e2e

import (
	"fmt"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/webphone/exotelsdk/tests/browser"
	"github.com/webphone/exotelsdk/tests/kamailio"
)

// The TestBench* functions print the figures the project promises, this SDK
// and JsSIP side by side in one run. They are not tests: they assert nothing
// about time and skip unless EXOTELSDK_BENCH=1 (scripts/bench.sh, `npm run
// bench`, sets it), so the test suite does not spend minutes on them.

// benchOnly skips the benchmark unless EXOTELSDK_BENCH=1 and returns the
// samples per figure (RUNS, default 9).
func benchOnly(t *testing.T) int {
	if os.Getenv("EXOTELSDK_BENCH") != "1" {
		t.Skip("a benchmark: run it with scripts/bench.sh (EXOTELSDK_BENCH=1)")
	}
	runs, err := strconv.Atoi(os.Getenv("RUNS"))
	if err != nil || runs < 1 {
		runs = 9
	}
	return runs
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s) == 0 {
		return 0
	}
	return s[len(s)/2]
}

// benchSDK is one SDK under benchmark: the page that loads it the way its
// guide says and registers from its first script, and how to read that page.
type benchSDK struct {
	name string
	// page is the path and query of a page that registers alice at once.
	page func(b *testing.T, srv *kamailio.Server) string
	// registeredAt is a JS expression: ms from navigation start to the
	// first "registered", or -1 before it.
	registeredAt string
}

var ours = benchSDK{
	name: "exotelsdk",
	page: func(b *testing.T, srv *kamailio.Server) string {
		return "/tests/pages/phone.html?" + url.Values{"autoregister": {js(b, account(b, srv, "alice"))}}.Encode()
	},
	registeredAt: `(harness.events.find(e => e.kind === 'register:auto' && e.args[0] === 'registered') || {t: -1}).t`,
}

var jssip = benchSDK{
	name: "JsSIP",
	page: func(b *testing.T, srv *kamailio.Server) string {
		return "/tests/pages/jssip.html?" + url.Values{"account": {jssipAccount(b, srv)}}.Encode()
	},
	registeredAt: `(bench.of('registered')[0] || {t: -1}).t`,
}

// benchWAN is the emulated wide-area network of the WAN rows.
var benchWAN = &browser.WAN{LatencyMs: 40, DownMbit: 20, UpMbit: 5}

// phaseMarks are the loader's and jsbridge's performance marks, in order.
var phaseMarks = []string{"load-start", "ws-early-dial", "wasm-response", "ws-early-open", "compiled", "instantiated", "ready", "register", "ws-dial", "ws-open"}

// startup is one page load's figures: ms from navigation start.
type startup struct {
	registered float64
	marks      map[string]float64
}

// loadUntilRegistered opens a page of sdk (in the tab, or a new one) and
// waits until it is registered.
func loadUntilRegistered(b *testing.T, page *browser.Page, sdk benchSDK) startup {
	var s startup
	page.WaitUntil(b, sdk.registeredAt+` >= 0`, 120*time.Second)
	page.Eval(b, sdk.registeredAt, &s.registered)
	page.Eval(b, `Object.fromEntries(performance.getEntriesByType('mark').filter(m => m.name.startsWith('exotelsdk:')).map(m => [m.name.slice(10), m.startTime]))`, &s.marks)
	return s
}

// coldStart loads the page once in an empty profile (no HTTP cache, no
// compiled-code cache), from a server that forbids caching.
func coldStart(b *testing.T, br *browser.Browser, base string, srv *kamailio.Server, sdk benchSDK, wan *browser.WAN) startup {
	page := br.OpenWith(b, base+sdk.page(b, srv), browser.OpenOptions{FreshProfile: true, WAN: wan})
	defer page.Close()
	return loadUntilRegistered(b, page, sdk)
}

// codeCacheWrite is how long a page stays open after registering so that
// V8 writes its compiled-wasm cache entry (it does so once enough functions
// are optimised, or at the latest 2 s after compiling: --wasm-caching-timeout-ms).
const codeCacheWrite = 3 * time.Second

// awaitCodeCache keeps page open for codeCacheWrite, so that V8 writes its
// compiled-wasm cache entry before the page goes away.
func awaitCodeCache(b *testing.T, page *browser.Page) {
	page.Eval(b, fmt.Sprintf(`new Promise(r => setTimeout(r, %d))`, codeCacheWrite.Milliseconds()), nil)
}

// warmStart loads the page three times in one empty profile from a server
// that lets the browser cache (Cache-Control: max-age) and returns the third.
func warmStart(b *testing.T, br *browser.Browser, cacheable string, srv *kamailio.Server, sdk benchSDK, wan *browser.WAN) startup {
	u := cacheable + sdk.page(b, srv)
	page := warmPage(b, br, u, sdk, wan)
	defer page.Close()
	page.Navigate(b, u)
	return loadUntilRegistered(b, page, sdk)
}

// warmPage opens u in a tab of an empty profile and loads it twice, each
// time until sdk registers and V8 has written its compiled-code cache, so
// that the tab's next load of u is warm. The caller closes the tab.
func warmPage(b *testing.T, br *browser.Browser, u string, sdk benchSDK, wan *browser.WAN) *browser.Page {
	page := br.OpenWith(b, u, browser.OpenOptions{FreshProfile: true, WAN: wan})
	for i := 0; i < 2; i++ {
		if i > 0 {
			page.Navigate(b, u)
		}
		loadUntilRegistered(b, page, sdk)
		awaitCodeCache(b, page)
	}
	return page
}

// TestBenchStartup prints page start → registered for both SDKs: cold (no
// cache) and warm (third load, files cacheable), on loopback and over an
// emulated WAN; next to them page start → main of an empty Go program
// (goFloor), the part of the figure no SDK code can cut; and this SDK's
// phases. RUNS sets the samples per row.
func TestBenchStartup(b *testing.T) {
	runs := benchOnly(b)
	bundleJsSIP(b)
	floorSize := buildGoFloor(b)
	srv := kamailio.Start(b, kamailio.Options{})
	uncached := browser.ServeCompressed(b, "no-store")
	cacheable := browser.ServeCompressed(b, "max-age=3600")
	br := browser.Launch(b, browser.Options{})
	type row struct {
		name string
		run  func(sdk benchSDK) startup
	}
	rows := []row{
		{"loopback, cold", func(sdk benchSDK) startup { return coldStart(b, br, uncached, srv, sdk, nil) }},
		{"loopback, warm (3rd load)", func(sdk benchSDK) startup { return warmStart(b, br, cacheable, srv, sdk, nil) }},
		{"WAN 40ms 20/5Mbit, cold", func(sdk benchSDK) startup { return coldStart(b, br, uncached, srv, sdk, benchWAN) }},
		{"WAN 40ms 20/5Mbit, warm", func(sdk benchSDK) startup { return warmStart(b, br, cacheable, srv, sdk, benchWAN) }},
	}
	results := map[string]map[string][]startup{}
	for _, r := range rows {
		results[r.name] = map[string][]startup{}
	}
	// Interleaved, so that both SDKs and the empty Go program see the
	// same machine load.
	for i := 0; i < runs; i++ {
		for _, r := range rows {
			for _, sdk := range []benchSDK{ours, jssip, goFloor} {
				s := r.run(sdk)
				fmt.Printf("  sample %d %-28s %-9s registered at %7.1f ms (instantiated %.1f, ready %.1f)\n",
					i+1, r.name, sdk.name, s.registered, s.marks["instantiated"], s.marks["ready"])
				results[r.name][sdk.name] = append(results[r.name][sdk.name], s)
			}
		}
	}
	out := &strings.Builder{}
	fmt.Fprintf(out, "\npage start → registered, median of %d, ms:\n", runs)
	fmt.Fprintf(out, "  %-28s %10s %10s %8s %10s %8s\n", "", ours.name, jssip.name, "ratio", goFloor.name, "ratio")
	for _, r := range rows {
		a := median(registeredOf(results[r.name][ours.name]))
		j := median(registeredOf(results[r.name][jssip.name]))
		f := median(registeredOf(results[r.name][goFloor.name]))
		fmt.Fprintf(out, "  %-28s %10.1f %10.1f %7.2fx %10.1f %7.2fx\n", r.name, a, j, a/j, f, f/j)
	}
	fmt.Fprintf(out, "  (%s: a Go program that only runs its main, %d KB raw, loaded as the SDK's wasm is;\n"+
		"   its figure is page start → main, what any Go wasm costs before SDK code runs)\n", goFloor.name, floorSize/1024)
	fmt.Fprintf(out, "\n%s phases, median ms since navigation start:\n  %-28s", ours.name, "")
	for _, m := range phaseMarks {
		fmt.Fprintf(out, " %12s", m)
	}
	fmt.Fprintf(out, " %12s %16s\n", "registered", "ready→registered")
	for _, r := range rows {
		fmt.Fprintf(out, "  %-28s", r.name)
		samples := results[r.name][ours.name]
		for _, m := range phaseMarks {
			var xs []float64
			for _, s := range samples {
				xs = append(xs, s.marks[m])
			}
			fmt.Fprintf(out, " %12.1f", median(xs))
		}
		var sinceReady []float64
		for _, s := range samples {
			sinceReady = append(sinceReady, s.registered-s.marks["ready"])
		}
		fmt.Fprintf(out, " %12.1f %16.1f\n", median(registeredOf(samples)), median(sinceReady))
	}
	fmt.Fprint(os.Stdout, out.String())
}

func registeredOf(ss []startup) []float64 {
	var xs []float64
	for _, s := range ss {
		xs = append(xs, s.registered)
	}
	return xs
}
