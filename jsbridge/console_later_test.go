//go:build js && wasm

package jsbridge

import (
	"fmt"
	"testing"
	"time"

	"github.com/webphone/exotelsdk/sdk/logs"
)

// recordingConsole is a heldConsole whose console records each line and
// when it was written, taking cost to write it, as the console with
// DevTools attached does.
func recordingConsole(cost time.Duration) (*heldConsole, *[]consoleWrite) {
	var writes []consoleWrite
	h := &heldConsole{write: func(e logs.Entry) {
		start := time.Now()
		writes = append(writes, consoleWrite{e.Message, start})
		for time.Since(start) < cost {
		}
	}}
	return h, &writes
}

type consoleWrite struct {
	line string
	at   time.Time
}

// Held lines reach the console in order and in slices: a page event that
// arrives while they are written waits one slice, not the whole backlog.
func TestHeldConsoleLinesAreWrittenInSlices(t *testing.T) {
	h, writes := recordingConsole(100 * time.Microsecond)
	const n = 300 // 30 ms of writing
	for i := 0; i < n; i++ {
		h.line(logs.Entry{Level: logs.Debug, Message: fmt.Sprint("line ", i)})
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
		if want := fmt.Sprint("line ", i); w.line != want {
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
	h, writes := recordingConsole(0)
	h.line(logs.Entry{Level: logs.Debug, Message: "trace"})
	h.line(logs.Entry{Level: logs.Info, Message: "news"})
	h.line(logs.Entry{Level: logs.Warn, Message: "problem"})
	var got []string
	for _, w := range *writes {
		got = append(got, w.line)
	}
	if want := []string{"trace", "news", "problem"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("console got %q, want %q", got, want)
	}
	time.Sleep(50 * time.Millisecond) // the idle callback still scheduled finds nothing to write
	if len(*writes) != 3 {
		t.Fatalf("the console got %d lines, want 3", len(*writes))
	}
}
