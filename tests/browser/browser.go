// Package browser drives a real headless Chromium (Debian's /usr/bin/chromium)
// for the SDK's end-to-end tests: it serves the repository over loopback HTTP,
// opens pages, evaluates JavaScript in them, and records uncaught exceptions.
package browser

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	cdpruntime "github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// ChromiumPath is the browser the tests run; CI installs it from Debian.
const ChromiumPath = "/usr/bin/chromium"

// Options configures the browser process.
type Options struct {
	// FakeAudioFile is a WAV file Chromium plays as the microphone.
	FakeAudioFile string
	// Flags are extra command-line switches.
	Flags map[string]any
	// RealPermissionPrompts drops --use-fake-ui-for-media-stream, so
	// permissions set through SetMicrophone decide getUserMedia.
	RealPermissionPrompts bool
}

// Browser is one Chromium process.
type Browser struct {
	ctx    context.Context
	cancel context.CancelFunc
}

// Launch starts Chromium with fake media devices; it is killed at cleanup.
func Launch(t testing.TB, opts Options) *Browser {
	t.Helper()
	if _, err := os.Stat(ChromiumPath); err != nil {
		t.Fatalf("chromium is not installed at %s (CI installs it with apt): %v", ChromiumPath, err)
	}
	flags := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(ChromiumPath),
		chromedp.Flag("headless", "new"),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("use-fake-ui-for-media-stream", !opts.RealPermissionPrompts),
		chromedp.Flag("use-fake-device-for-media-stream", true),
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
		chromedp.Flag("allow-loopback-in-peer-connection", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	if opts.FakeAudioFile != "" {
		flags = append(flags, chromedp.Flag("use-file-for-fake-audio-capture", opts.FakeAudioFile))
	}
	for k, v := range opts.Flags {
		flags = append(flags, chromedp.Flag(k, v))
	}
	allocCtx, allocCancel := chromedp.NewExecAllocator(context.Background(), flags...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	if err := chromedp.Do(ctx); err != nil {
		cancel()
		allocCancel()
		t.Fatalf("start chromium: %v", err)
	}
	b := &Browser{ctx: ctx, cancel: func() { cancel(); allocCancel() }}
	t.Cleanup(b.cancel)
	return b
}

// Page is one open tab.
type Page struct {
	ctx    context.Context
	cancel context.CancelFunc

	mu         sync.Mutex
	exceptions []string
	console    []string
}

// Open opens url in a new tab and waits for it to load (OpenWith without
// options).
func (b *Browser) Open(t testing.TB, url string) *Page { return b.OpenWith(t, url, OpenOptions{}) }

// watchConsole records what the page writes to its console and the
// exceptions it throws.
func (p *Page) watchConsole() {
	messages := chromedp.Console(p.ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			p.mu.Lock()
			if m.IsException() {
				p.exceptions = append(p.exceptions, m.Text)
			}
			p.console = append(p.console, m.String())
			p.mu.Unlock()
		}
	}()
}

// Close closes the tab (as a user closing it would).
func (p *Page) Close() { p.cancel() }

// Eval evaluates expr (awaiting it if it is a Promise) and decodes the result into out (may be nil).
func (p *Page) Eval(t testing.TB, expr string, out any) {
	t.Helper()
	if err := p.EvalErr(expr, out); err != nil {
		t.Fatalf("eval %q: %v", expr, err)
	}
}

// EvalErr is Eval returning the error.
func (p *Page) EvalErr(expr string, out any) error {
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[json.RawMessage](expr, func(e *cdpruntime.EvaluateParams) {
		yes := true
		e.AwaitPromise = &yes
	}))
	if err != nil {
		return err
	}
	if out != nil && len(raw) > 0 {
		return json.Unmarshal(raw, out)
	}
	return nil
}

// WaitUntil polls the JS boolean expression cond until it is true.
func (p *Page) WaitUntil(t testing.TB, cond string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		var ok bool
		err := p.EvalErr("!!("+cond+")", &ok)
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s (last error: %v)", timeout, cond, err)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// Exceptions lists the page's uncaught exceptions so far.
func (p *Page) Exceptions() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.exceptions...)
}

// Console lists what the page wrote to its console.
func (p *Page) Console() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.console...)
}

func (p *Page) dumpConsole(t testing.TB) {
	lines := p.Console()
	if len(lines) > 200 {
		lines = lines[len(lines)-200:]
	}
	t.Logf("page console (last %d lines):\n%s", len(lines), strings.Join(lines, "\n"))
}

// Context is the page's chromedp context, for tests that need the DevTools protocol directly.
func (p *Page) Context() context.Context { return p.ctx }

// RepoRoot finds the repository root (where go.mod is).
func RepoRoot(t testing.TB) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// Serve serves the repository root over HTTP on loopback and returns its base
// URL ("http://127.0.0.1:port"). dist/exotelsdk.js must have been built.
func Serve(t testing.TB) string {
	t.Helper()
	root := RepoRoot(t)
	if _, err := os.Stat(filepath.Join(root, "dist", "exotelsdk.wasm")); err != nil {
		t.Fatalf("dist/exotelsdk.wasm is missing: run `npm run build` first (%v)", err)
	}
	return ServeDir(t, root)
}

// ServeDir serves a directory over HTTP on loopback, uncached, and returns
// its base URL.
func ServeDir(t testing.TB, root string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	fs := http.FileServer(http.Dir(root))
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		fs.ServeHTTP(w, r)
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return fmt.Sprintf("http://%s", ln.Addr())
}
