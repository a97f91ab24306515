//go:build js && wasm

package jsbridge

import (
	"sync"
	"syscall/js"
	"time"

	"github.com/webphone/exotelsdk/sdk/logs"
)

// book holds the SDK's recent log lines for every client in the page;
// downloadLogs and the troubleshooting report read it.
var book = logs.NewBook(3000)

// logger is the bridge's own scope in the book.
var logger = book.Logger("sdk")

var logSinks struct {
	sync.Mutex
	console bool
	app     js.Value
	level   logs.Level // lines below it reach neither sink (the book keeps them)
}

func init() {
	logSinks.console = true
	book.Subscribe(func(e logs.Entry) {
		toConsole, app, level := currentSinks()
		if e.Level < level {
			return
		}
		if toConsole {
			consoleLine(e)
		}
		if isFunction(app) {
			invokeLater(app, e.Level.String(), e.Scope+": "+e.Message, js.Global().Get("Array").New())
		}
	})
}

// consoleLater holds the debug and info lines (the SIP traces, several per
// message, and the news of what happened) until the page is idle: handing a
// line to the console costs more than the rest of logging it (about 0.1 ms
// for a SIP message, 0.4 to 1 ms with DevTools attached), and logging must
// not delay the app's callback for the message that caused it: a
// registration logs three info lines between the WebSocket's open and
// "registered", each of which used to write the traces before it at once.
// Held lines are written in slices of consoleSlice, one per idle callback:
// the page cannot know when the next message arrives (the 401 to a
// REGISTER comes a few ms after it), and one that arrives while lines are
// written waits until the slice ends. (Writing all of them in one callback
// delayed "registered" on a page load by up to 10 ms.)
// A warning or an error first writes the lines before it, then itself, so
// the console keeps the order of the book and problems show at once.
var consoleLater struct {
	sync.Mutex
	lines     []logs.Entry
	scheduled bool
}

// consoleSlice is how long one idle callback writes held lines.
const consoleSlice = time.Millisecond

// consoleLine writes e to the console: a warning or an error now, another
// line once the page is idle.
func consoleLine(e logs.Entry) {
	if e.Level <= logs.Info {
		consoleLater.Lock()
		consoleLater.lines = append(consoleLater.lines, e)
		schedule := !consoleLater.scheduled
		consoleLater.scheduled = true
		consoleLater.Unlock()
		if schedule {
			whenIdle("console", writeHeldSlice)
		}
		return
	}
	flushConsole()
	writeConsole(e)
}

// writeHeldSlice writes held lines, oldest first, for at most consoleSlice
// (and at least one line), and asks for another idle callback for the rest.
func writeHeldSlice() {
	start := time.Now()
	for {
		e, ok, more := nextHeldLine(time.Since(start) < consoleSlice)
		if !ok {
			if more {
				whenIdle("console", writeHeldSlice)
			}
			return
		}
		writeConsole(e)
	}
}

// nextHeldLine takes the oldest held line if take is true and there is one.
// more tells, when none is taken, whether lines are left (the next slice
// is then still scheduled).
func nextHeldLine(take bool) (e logs.Entry, ok, more bool) {
	consoleLater.Lock()
	defer consoleLater.Unlock()
	if len(consoleLater.lines) == 0 {
		consoleLater.lines, consoleLater.scheduled = nil, false
		return e, false, false
	}
	if !take {
		return e, false, true
	}
	e = consoleLater.lines[0]
	consoleLater.lines[0] = logs.Entry{}
	consoleLater.lines = consoleLater.lines[1:]
	return e, true, false
}

// flushConsole writes every held line now: before a warning, and when the
// page goes away.
func flushConsole() {
	consoleLater.Lock()
	lines := consoleLater.lines
	consoleLater.lines, consoleLater.scheduled = nil, false
	consoleLater.Unlock()
	for _, e := range lines {
		writeConsole(e)
	}
}

// whenIdle runs f when the page is idle (requestIdleCallback, at most 200 ms
// later), or 20 ms later where there is no such thing.
func whenIdle(name string, f func()) {
	fn := callOnce(name, f)
	if ric := js.Global().Get("requestIdleCallback"); isFunction(ric) {
		ric.Invoke(fn, map[string]any{"timeout": 200})
		return
	}
	js.Global().Call("setTimeout", fn, 20)
}

// writeConsole writes one line through the loader's consoleLine, or straight
// to the console where there is none (before the runtime is there, in the
// unit tests). A console the page broke is not the SDK's death: what it
// throws is dropped.
func writeConsole(e logs.Entry) {
	defer func() { _ = recover() }()
	level, line := e.Level.String(), "[exotelsdk] "+e.Scope+": "+e.Message
	if rt.Type() == js.TypeObject {
		if w := rt.Get("consoleLine"); w.Type() == js.TypeFunction {
			w.Invoke(level, line)
			return
		}
	}
	js.Global().Get("console").Call(level, line)
}

// setConsoleLogging is the static setEnableConsoleLogging.
func setConsoleLogging(on bool) {
	logSinks.Lock()
	defer logSinks.Unlock()
	logSinks.console = on
}

// setLoggerCallback is the static registerLoggerCallback(cb(level, message, args)).
func setLoggerCallback(cb js.Value) {
	logSinks.Lock()
	defer logSinks.Unlock()
	if !isFunction(cb) {
		logSinks.app = js.Undefined()
		return
	}
	logSinks.app = cb
}

// currentSinks are where a log line goes besides the book, and the level
// below which it goes nowhere else.
func currentSinks() (toConsole bool, app js.Value, level logs.Level) {
	logSinks.Lock()
	defer logSinks.Unlock()
	return logSinks.console, logSinks.app, logSinks.level
}

// logLevels are the names setLogLevel takes, as the app's logger callback
// receives them.
var logLevels = map[string]logs.Level{"debug": logs.Debug, "info": logs.Info, "warn": logs.Warn, "error": logs.Error}

// setLogLevel is the static setLogLevel(level) (ext): the console and the
// logger callback get lines of level and above; SIP messages are debug lines.
// downloadLogs and the troubleshooting report keep every line.
func setLogLevel(name string) bool {
	level, ok := logLevels[name]
	if !ok {
		logger.Errorf("setLogLevel: the level must be one of debug, info, warn, error; got %q", name)
		return false
	}
	func() {
		logSinks.Lock()
		defer logSinks.Unlock()
		logSinks.level = level
	}()
	return true
}
