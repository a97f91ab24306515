//go:build js && wasm

package jsbridge

import (
	"sync"
	"syscall/js"

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
			consoleLater.line(e)
		}
		if isFunction(app) {
			invokeLater(app, e.Level.String(), e.Scope+": "+e.Message, js.Global().Get("Array").New())
		}
	})
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
