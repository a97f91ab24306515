package browser

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// Click clicks the first element matching the CSS selector as a user would
// (a real mouse event at its centre), waiting up to 15 s for it to be
// visible.
func (p *Page) Click(t testing.TB, css string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 15*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(css))); err != nil {
		t.Fatalf("click %s: %v", css, err)
	}
}

// Screenshot saves a PNG of the whole page at path, creating its directory.
func (p *Page) Screenshot(t testing.TB, path string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// Dialogs records the JavaScript dialogs (alert, confirm, prompt) a page
// opens, and dismisses each so the page goes on.
type Dialogs struct {
	mu      sync.Mutex
	opened  []string
	pending chan struct{}
}

// WatchDialogs starts recording the page's dialogs.
func (p *Page) WatchDialogs(t testing.TB) *Dialogs {
	t.Helper()
	d := &Dialogs{pending: make(chan struct{}, 16)}
	err := chromedp.Listen(p.ctx, func(ev any) {
		if e, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			d.mu.Lock()
			d.opened = append(d.opened, string(e.Type)+": "+e.Message)
			d.mu.Unlock()
			select {
			case d.pending <- struct{}{}:
			default:
			}
		}
	})
	if err != nil {
		t.Fatalf("watch dialogs: %v", err)
	}
	// The listener may not send commands: dismiss from here.
	go func() {
		for {
			select {
			case <-d.pending:
				_, _ = chromedp.Call(p.ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
			case <-p.ctx.Done():
				return
			}
		}
	}()
	return d
}

// Opened lists the dialogs opened so far as "type: message".
func (d *Dialogs) Opened() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.opened...)
}
