package e2e

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/webphone/exotelsdk/tests/browser"
	"github.com/webphone/exotelsdk/tests/farend"
	"github.com/webphone/exotelsdk/tests/kamailio"
)

// benchInitScript runs before the page's own scripts: it asks jsbridge for
// its debug hooks (the Go heap) and records when each INVITE frame arrives
// on a WebSocket, before any listener of the SDK sees it.
const benchInitScript = `
window.exotelsdkDebugHooks = {};
window.benchInvites = [];
(function () {
  var Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(url, protocols) {
      super(url, protocols);
      this.addEventListener('message', function (e) {
        if (typeof e.data === 'string' && e.data.lastIndexOf('INVITE ', 0) === 0) { benchInvites.push(performance.now()); }
      });
    }
  };
})();`

// callDriver is how the benchmark answers and watches calls in one SDK's page.
type callDriver struct {
	// count(name) is a JS expression: how many events called name the page has seen.
	count func(event string) string
	// at(name, i) is the time of the i-th such event.
	at     func(event string, i int) string
	answer string
}

var oursCalls = callDriver{
	count: func(ev string) string {
		return fmt.Sprintf(`harness.events.filter(e => e.kind === 'call:auto' && %s).length`, oursEvent(ev))
	},
	at: func(ev string, i int) string {
		return fmt.Sprintf(`harness.events.filter(e => e.kind === 'call:auto' && %s)[%d].t`, oursEvent(ev), i)
	},
	answer: `harness.clients.auto.getCall().Answer()`,
}

var jssipCalls = callDriver{
	count:  func(ev string) string { return fmt.Sprintf(`bench.of(%q).length`, jssipEvent(ev)) },
	at:     func(ev string, i int) string { return fmt.Sprintf(`bench.of(%q)[%d].t`, jssipEvent(ev), i) },
	answer: `bench.answer()`,
}

// oursEvent matches this SDK's call event ev; "callEnded" also matches
// "terminated", the event of a call the far end hung up.
func oursEvent(ev string) string {
	if ev == "callEnded" {
		return `(e.args[1] === 'callEnded' || e.args[1] === 'terminated')`
	}
	return fmt.Sprintf(`e.args[1] === %q`, ev)
}

func jssipEvent(ev string) string {
	if ev == "callEnded" {
		return "ended"
	}
	return ev
}

// memory is one snapshot of a page's memory.
type memory struct {
	rendererRSS, jsHeap float64
	goHeap, goSys       float64 // -1 for JsSIP
	logBook             float64 // of goHeap: the log book's text, bounded at 2 MB
	goroutines          float64
	sessions            float64 // media sessions (peer connections) the Go heap holds
	renderers           browser.RendererMemory
}

func (m memory) String() string {
	mb := func(v float64) string {
		if v < 0 {
			return "-"
		}
		return fmt.Sprintf("%.1f", v/1e6)
	}
	count := func(v float64) string {
		if v < 0 {
			return "-"
		}
		return fmt.Sprint(v)
	}
	return fmt.Sprintf("renderer RSS %6s MB, JS heap %6s MB, Go heap %6s MB (log book %5s MB, Go sys %6s MB), goroutines %4s, sessions in Go %4s",
		mb(m.rendererRSS), mb(m.jsHeap), mb(m.goHeap), mb(m.logBook), mb(m.goSys), count(m.goroutines), count(m.sessions)) +
		"\n" + m.renderersLine()
}

// renderersLine breaks the renderers' memory down: resident anonymous and
// file-backed pages, and the allocators of Chromium's memory-infra dump
// (malloc's committed pages, and how much of them live objects use).
// "other" is the anonymous memory no allocator claims: the wasm's linear
// memory (Go sys) and compiled code among it.
func (m memory) renderersLine() string {
	r := m.renderers
	out := fmt.Sprintf("%37s anon %6.1f MB, file %6.1f MB; allocators, MB:", "renderers:", r.Anon/1e6, r.File/1e6)
	other := r.Anon
	for _, name := range []string{"malloc", "partition_alloc", "v8", "blink_gc", "shared_memory"} {
		out += fmt.Sprintf(" %s %.1f", name, r.Allocators[name]/1e6)
		if name == "malloc" {
			out += fmt.Sprintf(" (live %.1f)", r.MallocLive/1e6)
		}
		if name != "shared_memory" {
			other -= r.Allocators[name]
		}
	}
	return out + fmt.Sprintf(", other anon %.1f (of which code %.1f)", other/1e6, r.Code/1e6)
}

func snapshot(b *testing.T, br *browser.Browser, page *browser.Page) memory {
	// A JS collection first, whose FinalizationRegistry callbacks let go of
	// the Go side of the calls the page dropped; then Go's, whose finalizers
	// drop the page objects (peer connections included) that only Go values
	// held; then JS again, to free those before RSS is read.
	page.JSHeapUsed(b)
	page.Eval(b, `new Promise(r => setTimeout(r, 200))`, nil) // the registry's callbacks are tasks
	m := memory{goHeap: -1, goSys: -1, logBook: -1, goroutines: -1, sessions: -1}
	var stats map[string]float64
	page.Eval(b, `window.exotelsdkDebugHooks.memStats ? exotelsdkDebugHooks.memStats() : null`, &stats)
	if stats != nil {
		m.goHeap, m.goSys, m.logBook, m.goroutines = stats["heapAlloc"], stats["sys"], stats["logBytes"], stats["goroutines"]
		m.sessions = stats["sessions"]
	}
	m.jsHeap = page.JSHeapUsed(b)
	m.rendererRSS = float64(br.RendererRSS(b))
	m.renderers = br.RendererMemory(b)
	return m
}

// callFigures are one SDK's per-call latencies and memory snapshots.
type callFigures struct {
	toIncoming, toConnected []float64
	memory                  map[int]memory // after N calls
}

// runCalls registers sdk's page in a browser of its own (so its renderer's
// memory is its own) and takes calls calls from a far end, one after the
// other: each is answered and then hung up by the far end. With
// BENCH_RETURNING=n the page is first a returning user's: it takes n calls,
// waits for V8 to cache its optimised code, and is opened again in a new
// tab of the same profile (HTTP and code caches warm) for the measured calls.
func runCalls(b *testing.T, sdk benchSDK, drv callDriver, calls int, snapshotsAt []int) callFigures {
	srv := kamailio.Start(b, kamailio.Options{})
	warmUp, _ := strconv.Atoi(os.Getenv("BENCH_RETURNING"))
	var base string
	if warmUp > 0 {
		base = browser.ServeCompressed(b, "max-age=3600")
	} else {
		base = browser.Serve(b)
	}
	br := browser.Launch(b, browser.Options{Flags: benchJSFlags()})
	u := base + sdk.page(b, srv)
	page := br.OpenWith(b, u, browser.OpenOptions{InitScript: benchInitScript})
	page.WaitUntil(b, sdk.registeredAt+` >= 0`, 120*time.Second)
	bob := farend.New(b, farend.Config{User: "bob", Domain: srv.Domain, Server: srv.UDPAddr})
	if warmUp > 0 {
		page = returningPage(b, br, page, u, sdk, bob, drv, warmUp)
	}
	f := callFigures{memory: map[int]memory{0: snapshot(b, br, page)}}
	for i := 0; i < calls; i++ {
		toIncoming, toConnected := takeCall(b, page, bob, drv, i)
		f.toIncoming = append(f.toIncoming, toIncoming)
		f.toConnected = append(f.toConnected, toConnected)
		fmt.Printf("  call %3d %-9s INVITE frame → incoming %6.1f ms, Answer() → connected %6.1f ms\n",
			i+1, sdk.name, toIncoming, toConnected)
		for _, n := range snapshotsAt {
			if n == i+1 {
				f.memory[n] = snapshot(b, br, page)
			}
		}
	}
	// A call's INVITE server transaction keeps it for 64·T1 (32 s) after
	// the 2xx (RFC 6026 Timer L), so the last calls are still in the heap
	// at the end: one more snapshot once they have gone.
	time.Sleep(timerL + 3*time.Second)
	f.memory[-calls] = snapshot(b, br, page)
	return f
}

// returningPage has page take warmUp calls, waits for V8 to cache its
// compiled code, closes it and, once its renderer has exited, opens u again
// in a new tab of the same profile, so that the measured renderer starts
// with nothing of the warm-up calls but what the profile's caches give it.
func returningPage(b *testing.T, br *browser.Browser, page *browser.Page, u string, sdk benchSDK, bob *farend.Peer, drv callDriver, warmUp int) *browser.Page {
	for i := 0; i < warmUp; i++ {
		takeCall(b, page, bob, drv, i)
	}
	awaitCodeCache(b, page)
	before := len(br.RendererPIDs())
	page.Close()
	require.Eventually(b, func() bool { return len(br.RendererPIDs()) < before },
		30*time.Second, 100*time.Millisecond, "the warm-up tab's renderer did not exit")
	page = br.OpenWith(b, u, browser.OpenOptions{InitScript: benchInitScript})
	page.WaitUntil(b, sdk.registeredAt+` >= 0`, 120*time.Second)
	return page
}

// takeCall has bob call the page, which answers, and hang up: the page's
// i-th call since it loaded. It returns INVITE frame → incoming and
// Answer() → connected, in ms.
func takeCall(b *testing.T, page *browser.Page, bob *farend.Peer, drv callDriver, i int) (toIncoming, toConnected float64) {
	var invites int
	page.Eval(b, `benchInvites.length`, &invites)
	call, err := bob.Dial(page.Context(), "alice", farend.CallOptions{})
	require.NoError(b, err)
	page.WaitUntil(b, fmt.Sprintf(`%s > %d`, drv.count("incoming"), i), 120*time.Second)
	page.Eval(b, fmt.Sprintf(`%s - benchInvites[%d]`, drv.at("incoming", i), invites), &toIncoming)
	toConnected = answerToConnected(b, page, drv, drv.answer, i)
	require.NoError(b, call.Hangup(page.Context()))
	page.WaitUntil(b, fmt.Sprintf(`%s > %d`, drv.count("callEnded"), i), 120*time.Second)
	return toIncoming, toConnected
}

// benchJSFlags passes BENCH_JS_FLAGS to V8 (--js-flags) in TestBenchCalls'
// browsers. --no-wasm-lazy-compilation, for one, shows how much of ours'
// malloc growth is V8 compiling the wasm's functions as they are first
// called (docs/architecture.md, "Renderer memory over many calls").
func benchJSFlags() map[string]any {
	v := os.Getenv("BENCH_JS_FLAGS")
	if v == "" {
		return nil
	}
	return map[string]any{"js-flags": v}
}

// timerL is how long an answered INVITE's server transaction lives (64·T1).
const timerL = 32 * time.Second

// answerToConnected runs answer (a JS statement) on page and returns the
// ms until the page's connected event number n (from 0) arrives.
func answerToConnected(b *testing.T, page *browser.Page, drv callDriver, answer string, n int) float64 {
	var d float64
	page.Eval(b, fmt.Sprintf(`new Promise(resolve => {
			const t0 = performance.now();
			%s;
			const poll = () => %s > %d ? resolve(%s - t0) : setTimeout(poll, 1);
			poll();
		})`, answer, drv.count("connected"), n, drv.at("connected", n)), &d)
	return d
}

// TestBenchCalls prints, for both SDKs (or the one BENCH_ONLY names),
// INVITE frame → "incoming" and Answer() → "connected", the memory after 10
// and after every quarter of BENCH_CALLS (default 200) sequential calls, and
// how much the renderer grew over the run.
func TestBenchCalls(b *testing.T) {
	benchOnly(b)
	bundleJsSIP(b)
	calls := 200
	if v, err := strconv.Atoi(os.Getenv("BENCH_CALLS")); err == nil && v > 0 {
		calls = v
	}
	// After 10 calls (the first ones warm up Chromium's WebRTC and the
	// wasm's optimised code), then every quarter: both SDKs' renderer
	// memory rises while calls follow one another, levels off and later
	// falls back (docs/architecture.md), which one snapshot at the end
	// cannot tell from a leak. The log book fills up to its bound in the
	// first ~100 calls.
	at := []int{calls}
	if calls >= 40 {
		at = []int{10, calls / 4, calls / 2, calls * 3 / 4, calls}
	} else if calls > 10 {
		at = []int{10, calls}
	}
	figs := map[string]callFigures{}
	var sdks []string
	for _, s := range []struct {
		sdk benchSDK
		drv callDriver
	}{{ours, oursCalls}, {jssip, jssipCalls}} {
		if only := os.Getenv("BENCH_ONLY"); only == "" || only == s.sdk.name {
			figs[s.sdk.name] = runCalls(b, s.sdk, s.drv, calls, at)
			sdks = append(sdks, s.sdk.name)
		}
	}
	require.NotEmpty(b, sdks, "BENCH_ONLY names neither %s nor %s", ours.name, jssip.name)
	out := &strings.Builder{}
	fmt.Fprintf(out, "\ncalls, median of %d, ms:\n  %-28s", calls, "")
	for _, sdk := range sdks {
		fmt.Fprintf(out, " %10s", sdk)
	}
	fmt.Fprintf(out, "%s\n", map[bool]string{true: "    ratio"}[len(sdks) == 2])
	for _, row := range []struct {
		name string
		get  func(callFigures) []float64
	}{
		{"INVITE frame → incoming", func(f callFigures) []float64 { return f.toIncoming }},
		{"Answer() → connected", func(f callFigures) []float64 { return f.toConnected }},
	} {
		fmt.Fprintf(out, "  %-28s", row.name)
		for _, sdk := range sdks {
			fmt.Fprintf(out, " %10.1f", median(row.get(figs[sdk])))
		}
		if len(sdks) == 2 {
			fmt.Fprintf(out, " %7.2fx", median(row.get(figs[sdks[0]]))/median(row.get(figs[sdks[1]])))
		}
		fmt.Fprintln(out)
	}
	fmt.Fprintln(out, "\nmemory (after a GC):")
	for _, sdk := range sdks {
		for _, n := range append([]int{0}, at...) {
			fmt.Fprintf(out, "  %-9s after %3d calls: %s\n", sdk, n, figs[sdk].memory[n])
		}
		fmt.Fprintf(out, "  %-9s %3d calls + 35 s: %s\n", sdk, calls, figs[sdk].memory[-calls])
	}
	fmt.Fprintf(out, "\nrenderer growth to %d calls + 35 s, MB: RSS (anon), malloc committed / live\n", calls)
	for _, sdk := range sdks {
		m := figs[sdk].memory
		fmt.Fprintf(out, "  %-9s from the start %s", sdk, growth(m[0], m[-calls]))
		if from, ok := m[10]; ok {
			fmt.Fprintf(out, "; from 10 calls %s", growth(from, m[-calls]))
		}
		fmt.Fprintln(out)
	}
	fmt.Fprint(os.Stdout, out.String())
}

// growth is how the renderer's memory changed from one snapshot to another.
func growth(from, to memory) string {
	return fmt.Sprintf("%+6.1f (%+5.1f), %+5.1f / %+5.1f", (to.rendererRSS-from.rendererRSS)/1e6,
		(to.renderers.Anon-from.renderers.Anon)/1e6,
		(to.renderers.Allocators["malloc"]-from.renderers.Allocators["malloc"])/1e6,
		(to.renderers.MallocLive-from.renderers.MallocLive)/1e6)
}

// TestBenchVideoAnswer prints Answer({video: true}) → "connected" against
// Answer() → "connected" for audio-only calls, between two SDK pages
// (videoPair), median of RUNS calls each (issue 11's budget: within 1.3×).
func TestBenchVideoAnswer(b *testing.T) {
	runs := benchOnly(b)
	v := newVideoPair(b)
	measure := func(options, answer string) []float64 {
		var out []float64
		for i := 0; i < runs; i++ {
			inc, conn := v.count(b, "bob", "incoming"), v.count(b, "bob", "connected")
			v.alice.Eval(b, `harness.clients.alice.MakeCall('bob', `+options+`)`, nil)
			v.waitCount(b, "bob", "incoming", inc)
			var d float64
			v.bob.Eval(b, fmt.Sprintf(`new Promise(resolve => {
				const t0 = performance.now();
				video.call('bob').Answer(%s);
				const poll = () => video.events('bob', 'connected') > %d ? resolve(performance.now() - t0) : setTimeout(poll, 1);
				poll();
			})`, answer, conn), &d)
			out = append(out, d)
			v.hangup(b)
		}
		return out
	}
	audio := median(measure(`{}`, ``))
	video := median(measure(`{video: true}`, `{video: true}`))
	fmt.Printf("\nAnswer() → connected, median of %d, ms:\n  audio only          %8.1f\n  Answer({video:true}) %7.1f  (%.2fx)\n",
		runs, audio, video, video/audio)
}
