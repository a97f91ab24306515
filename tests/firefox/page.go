package firefox

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// Page is one open tab (a top-level browsing context).
type Page struct {
	b       *Browser
	context string

	mu         sync.Mutex
	exceptions []string
	console    []string
}

// Open opens url in a new tab and waits for it to load.
func (b *Browser) Open(t testing.TB, url string) *Page {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var created struct {
		Context string `json:"context"`
	}
	if err := b.conn.call(ctx, "browsingContext.create", map[string]any{"type": "tab"}, &created); err != nil {
		t.Fatal(err)
	}
	p := &Page{b: b, context: created.Context}
	b.mu.Lock()
	b.pages[p.context] = p
	b.mu.Unlock()
	t.Cleanup(func() {
		if t.Failed() {
			p.dumpConsole(t)
		}
		p.Close()
	})
	if err := b.conn.call(ctx, "browsingContext.navigate",
		map[string]any{"context": p.context, "url": url, "wait": "complete"}, nil); err != nil {
		t.Fatalf("open %s: %v", url, err)
	}
	return p
}

// Close closes the tab, as a user closing it would (pagehide, unload).
func (p *Page) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = p.b.conn.call(ctx, "browsingContext.close", map[string]any{"context": p.context, "promptUnload": false}, nil)
}

// Eval evaluates expr in the page (awaiting it if it is a Promise) and
// decodes its JSON value into out (may be nil).
func (p *Page) Eval(t testing.TB, expr string, out any) {
	t.Helper()
	if err := p.EvalErr(expr, out); err != nil {
		t.Fatalf("eval %q: %v", expr, err)
	}
}

// EvalErr is Eval returning the error.
func (p *Page) EvalErr(expr string, out any) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// The value crosses as JSON text: simpler than BiDi's remote values.
	wrapped := "(async () => { const v = await (" + expr + "); return v === undefined ? 'null' : JSON.stringify(v); })()"
	var res struct {
		Type   string `json:"type"`
		Result struct {
			Type  string `json:"type"`
			Value string `json:"value"`
		} `json:"result"`
		ExceptionDetails struct {
			Text string `json:"text"`
		} `json:"exceptionDetails"`
	}
	err := p.b.conn.call(ctx, "script.evaluate", map[string]any{
		"expression": wrapped, "target": map[string]any{"context": p.context},
		"awaitPromise": true, "resultOwnership": "none", "userActivation": true,
	}, &res)
	if err != nil {
		return err
	}
	if res.Type == "exception" {
		return fmt.Errorf("exception: %s", res.ExceptionDetails.Text)
	}
	if out != nil && res.Result.Type == "string" {
		return json.Unmarshal([]byte(res.Result.Value), out)
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

func (p *Page) record(kind, level, text string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if kind == "javascript" {
		p.exceptions = append(p.exceptions, text)
	}
	p.console = append(p.console, level+": "+text)
	if len(p.console) > 500 {
		p.console = p.console[1:]
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
