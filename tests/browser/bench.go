package browser

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/heapprofiler"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	cdpruntime "github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// What the start-up benchmark (tests/e2e/bench_startup_test.go) needs beyond
// the tests: pages opened in a fresh profile or over an emulated WAN, a
// server whose files may be cached, and the renderer processes' memory.

// WAN is a network the DevTools protocol emulates for a page
// (Network.emulateNetworkConditions): latency added to every request, and
// the download and upload rates.
type WAN struct {
	LatencyMs        float64
	DownMbit, UpMbit float64
}

// OpenOptions say how OpenWith opens a page.
type OpenOptions struct {
	// FreshProfile opens the page in a new browser context (an empty
	// profile: no HTTP cache, no code cache, its own renderer process).
	FreshProfile bool
	// WAN, when set, is emulated from before the first request.
	WAN *WAN
	// InitScript runs in the page before any of its own scripts
	// (Page.addScriptToEvaluateOnNewDocument).
	InitScript string
}

// OpenWith opens url in a new tab, in a fresh profile and/or over an
// emulated network and with an init script, set up before navigation
// starts, and waits for it to load. The page's console is recorded (and
// printed if the test fails).
func (b *Browser) OpenWith(t testing.TB, url string, opts OpenOptions) *Page {
	t.Helper()
	var ctx context.Context
	var cancel context.CancelFunc
	if opts.FreshProfile {
		ctx, cancel = chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	} else {
		ctx, cancel = chromedp.NewContext(b.ctx)
	}
	p := &Page{ctx: ctx, cancel: cancel}
	p.watchConsole()
	err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		if w := opts.WAN; w != nil {
			if _, err := cdp.Call(ctx, tg, network.Enable, network.EnableParams{}); err != nil {
				return err
			}
			conditions := emulateParams{Latency: w.LatencyMs, Down: w.DownMbit * 1e6 / 8, Up: w.UpMbit * 1e6 / 8}
			if _, err := cdp.Call(ctx, tg, emulateNetworkConditions, conditions); err != nil {
				return fmt.Errorf("Network.emulateNetworkConditions: %w", err)
			}
		}
		if opts.InitScript != "" {
			if _, err := cdp.Call(ctx, tg, page.AddScriptToEvaluateOnNewDocument,
				page.AddScriptToEvaluateOnNewDocumentParams{Source: opts.InitScript}); err != nil {
				return err
			}
		}
		return nil
	}), chromedp.Navigate(url))
	if err != nil {
		cancel()
		t.Fatalf("open %s: %v", url, err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			p.dumpConsole(t)
		}
		cancel()
	})
	return p
}

// emulateNetworkConditions is the DevTools command Network.emulateNetworkConditions
// (deprecated in the protocol, so cdproto no longer lists it; Chromium still serves it).
var emulateNetworkConditions = cdp.Command[emulateParams, cdp.Empty]{Method: "Network.emulateNetworkConditions"}

type emulateParams struct {
	Offline bool    `json:"offline"`
	Latency float64 `json:"latency"`            // ms
	Down    float64 `json:"downloadThroughput"` // bytes/s
	Up      float64 `json:"uploadThroughput"`   // bytes/s
}

// RendererRSS is the resident memory, in bytes, of all renderer processes
// of this browser (read from /proc; Linux only).
func (b *Browser) RendererRSS(t testing.TB) int64 {
	t.Helper()
	c := chromedp.FromContext(b.ctx)
	if c == nil || c.Browser == nil || c.Browser.Process() == nil {
		t.Fatal("the browser process is unknown")
	}
	return int64(b.rendererStatus()["VmRSS:"])
}

// rendererStatus sums, over the renderer processes, the kB fields of
// /proc/<pid>/status (VmRSS, RssAnon, RssFile, ...), in bytes, keyed by
// their name with its colon.
func (b *Browser) rendererStatus() map[string]float64 {
	sums := map[string]float64{}
	for _, pid := range b.RendererPIDs() {
		status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(status), "\n") {
			if f := strings.Fields(line); len(f) == 3 && f[2] == "kB" {
				kb, _ := strconv.ParseFloat(f[1], 64)
				sums[f[0]] += kb * 1024
			}
		}
	}
	return sums
}

// JSHeapUsed collects garbage in the page and returns the bytes its JS heap
// uses (Runtime.getHeapUsage; a wasm's linear memory is not part of it).
func (p *Page) JSHeapUsed(t testing.TB) float64 {
	t.Helper()
	var used float64
	err := chromedp.Do(p.ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		if _, err := cdp.Call(ctx, tg, heapprofiler.CollectGarbage, cdp.Empty{}); err != nil {
			return err
		}
		u, err := cdp.Call(ctx, tg, cdpruntime.GetHeapUsage, cdp.Empty{})
		used = u.UsedSize
		return err
	}))
	if err != nil {
		t.Fatalf("JS heap usage: %v", err)
	}
	return used
}

// Navigate loads url in this tab, as following a link would.
func (p *Page) Navigate(t testing.TB, url string) {
	t.Helper()
	if err := chromedp.Do(p.ctx, chromedp.Navigate(url)); err != nil {
		t.Fatalf("navigate to %s: %v", url, err)
	}
}
