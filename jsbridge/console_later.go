//go:build js && wasm

package jsbridge

import (
	"sync"
	"time"

	"github.com/webphone/exotelsdk/sdk/logs"
)

// heldConsole holds the debug and info lines (the SIP traces, several per
// message, and the news of what happened) until the page is idle: handing a
// line to the console costs more than the rest of logging it (about 0.1 ms
// for a SIP message, 0.4 to 1 ms with DevTools attached), and logging must
// not delay the app's callback for the message that caused it: a
// registration logs three info lines between the WebSocket's open and
// "registered", each of which used to write the traces before it at once.
//
// Held lines are written in slices of consoleSlice, one per idle callback:
// the page cannot know when the next message arrives (the 401 to a REGISTER
// comes a few ms after it), and one that arrives while lines are written
// waits until the slice ends. (Writing all of them in one callback delayed
// the 401 of a page load's REGISTER by up to 10 ms.)
//
// A warning or an error first writes the lines before it, then itself, so
// the console keeps the order of the book and problems show at once.
type heldConsole struct {
	mu        sync.Mutex
	lines     []logs.Entry
	scheduled bool // an idle callback will write the lines
	write     func(logs.Entry)
}

// consoleLater is the page's console, through the loader.
var consoleLater = &heldConsole{write: writeConsole}

// consoleSlice is how long one idle callback writes held lines.
const consoleSlice = time.Millisecond

// line writes e to the console: a warning or an error now, another line
// once the page is idle.
func (h *heldConsole) line(e logs.Entry) {
	if e.Level <= logs.Info {
		h.mu.Lock()
		h.lines = append(h.lines, e)
		schedule := !h.scheduled
		h.scheduled = true
		h.mu.Unlock()
		if schedule {
			whenIdle("console", h.writeSlice)
		}
		return
	}
	h.flush()
	h.write(e)
}

// writeSlice writes held lines, oldest first, for at most consoleSlice (and
// at least one line), and asks for another idle callback for the rest.
func (h *heldConsole) writeSlice() {
	start := time.Now()
	for {
		e, ok, more := h.next(time.Since(start) < consoleSlice)
		if !ok {
			if more {
				whenIdle("console", h.writeSlice)
			}
			return
		}
		h.write(e)
	}
}

// next takes the oldest held line if take is true and there is one. more
// tells, when none is taken, whether lines are left (the next slice is then
// still scheduled).
func (h *heldConsole) next(take bool) (e logs.Entry, ok, more bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.lines) == 0 {
		h.lines, h.scheduled = nil, false
		return e, false, false
	}
	if !take {
		return e, false, true
	}
	e = h.lines[0]
	h.lines[0] = logs.Entry{}
	h.lines = h.lines[1:]
	return e, true, false
}

// flush writes every held line now: before a warning, and when the page
// goes away.
func (h *heldConsole) flush() {
	h.mu.Lock()
	lines := h.lines
	h.lines, h.scheduled = nil, false
	h.mu.Unlock()
	for _, e := range lines {
		h.write(e)
	}
}
