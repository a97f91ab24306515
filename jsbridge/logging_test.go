//go:build js && wasm

package jsbridge

import (
	"fmt"
	"syscall/js"
	"testing"
	"time"

	"github.com/webphone/exotelsdk/sdk/logs"
)

// fakeConsole replaces the page's console (and the loader's consoleLine)
// with one that records each line and when it was written, taking cost to
// write it, as the console with DevTools attached does.
func fakeConsole(t *testing.T, cost time.Duration) *[]consoleWrite {
	var writes []consoleWrite
	record := js.FuncOf(func(_ js.Value, args []js.Value) any {
		start := time.Now()
		writes = append(writes, consoleWrite{args[0].String(), start})
		for time.Since(start) < cost {
		}
		return nil
	})
	console, prevRT := js.Global().Get("console"), rt
	fake := js.Global().Get("Object").New()
	for _, level := range []string{"debug", "info", "warn", "error"} {
		fake.Set(level, record)
	}
	js.Global().Set("console", fake)
	rt = js.Undefined()
	t.Cleanup(func() {
		js.Global().Set("console", console)
		rt = prevRT
		record.Release()
	})
	return &writes
}

type consoleWrite struct {
	line string
	at   time.Time
}

// Held lines reach the console in order and in slices: a page event that
// arrives while they are written waits one slice, not the whole backlog.
func TestHeldConsoleLinesAreWrittenInSlices(t *testing.T) {
	writes := fakeConsole(t, 100*time.Microsecond)
	const n = 300 // 30 ms of writing
	for i := 0; i < n; i++ {
		consoleLine(logs.Entry{Level: logs.Debug, Scope: "test", Message: fmt.Sprint("line ", i)})
	}
	if len(*writes) != 0 {
		t.Fatalf("%d debug lines were written at once; they wait for the idle page", len(*writes))
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(*writes) < n && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if len(*writes) != n {
		t.Fatalf("%d of %d held lines were written", len(*writes), n)
	}
	slices, longest := 1, time.Duration(0)
	sliceStart := (*writes)[0].at
	for i, w := range *writes {
		if want := fmt.Sprint("[exotelsdk] test: line ", i); w.line != want {
			t.Fatalf("line %d is %q, want %q", i, w.line, want)
		}
		if i > 0 && w.at.Sub((*writes)[i-1].at) > 5*time.Millisecond { // the wait for the next idle callback
			slices++
			sliceStart = w.at
		}
		longest = max(longest, w.at.Sub(sliceStart))
	}
	if slices < 5 || longest > 15*time.Millisecond {
		t.Fatalf("30 ms of lines were written in %d slices, the longest %v: want slices of about %v", slices, longest, consoleSlice)
	}
}

// A warning writes the lines held before it first, then itself, at once.
func TestAWarningWritesTheHeldLinesFirst(t *testing.T) {
	writes := fakeConsole(t, 0)
	consoleLine(logs.Entry{Level: logs.Debug, Scope: "test", Message: "trace"})
	consoleLine(logs.Entry{Level: logs.Info, Scope: "test", Message: "news"})
	consoleLine(logs.Entry{Level: logs.Warn, Scope: "test", Message: "problem"})
	var got []string
	for _, w := range *writes {
		got = append(got, w.line)
	}
	want := []string{"[exotelsdk] test: trace", "[exotelsdk] test: news", "[exotelsdk] test: problem"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("console got %q, want %q", got, want)
	}
	time.Sleep(50 * time.Millisecond) // the idle callback still scheduled finds nothing to write
	if len(*writes) != 3 {
		t.Fatalf("the console got %d lines, want 3", len(*writes))
	}
}
