package browser

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/tracing"
	"github.com/chromedp/chromedp"
)

// Trace records a Chromium trace of the given categories while run runs
// (Tracing.start … Tracing.end, every process) and returns its events as
// the DevTools Performance panel reads them: the start-up profile
// (tests/e2e/profile_startup_test.go) uses it for where a phase's time goes.
func (b *Browser) Trace(t testing.TB, categories []string, run func()) []json.RawMessage {
	t.Helper()
	return b.trace(t, &tracing.TraceConfig{IncludedCategories: append([]string{"-*"}, categories...)},
		func(context.Context, cdp.Session) { run() })
}

// trace records a trace with config while run runs, given the tracing
// session, and returns its events.
func (b *Browser) trace(t testing.TB, config *tracing.TraceConfig, run func(context.Context, cdp.Session)) []json.RawMessage {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Minute)
	defer cancel()
	var s cdp.Session = chromedp.FromContext(b.ctx).Browser
	data := cdp.Events(ctx, s, tracing.DataCollected)
	done := cdp.Events(ctx, s, tracing.TracingComplete)
	if _, err := cdp.Call(ctx, s, tracing.Start, tracing.StartParams{
		TransferMode: tracing.StartTransferModeReportEvents,
		TraceConfig:  config,
	}); err != nil {
		t.Fatalf("Tracing.start: %v", err)
	}
	var events []json.RawMessage
	collected := make(chan struct{})
	go func() {
		defer close(collected)
		for ev, err := range data {
			if err != nil {
				return
			}
			for _, v := range ev.Value {
				events = append(events, json.RawMessage(v))
			}
		}
	}()
	run(ctx, s)
	if _, err := cdp.Call(ctx, s, tracing.End, cdp.Empty{}); err != nil {
		t.Fatalf("Tracing.end: %v", err)
	}
	for _, err := range done {
		if err != nil {
			t.Fatalf("Tracing.tracingComplete: %v", err)
		}
		break
	}
	time.Sleep(200 * time.Millisecond) // dataCollected events queued before tracingComplete
	cancel()
	<-collected
	return events
}
