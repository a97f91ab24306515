//go:build js && wasm

// Package jsbridge is the only place the SDK touches the browser: it exports
// ExotelWebClient and Call to JavaScript, and implements the sdk/ interfaces
// (the WebSocket transport, media sessions, tones) on browser APIs. It stays
// thin; the behaviour lives in sdk/.
package jsbridge

import (
	"errors"
	"fmt"
	"runtime/debug"
	"syscall/js"
)

// rt is the loader's runtime object (scripts/loader.js): it calls app
// callbacks asynchronously and receives the Go API when it is ready.
var rt js.Value

// export turns fn into a JavaScript function that never lets a Go panic
// through (a panic would stop the runtime for the whole page): it is logged and
// fallback is returned instead.
func export(name string, fallback any, fn func(args []js.Value) any) js.Func {
	return js.FuncOf(func(this js.Value, args []js.Value) (result any) {
		defer func() {
			if r := recover(); r != nil {
				logger.Errorf("%s failed: %v\n%s", name, r, debug.Stack())
				result = fallback
			}
		}()
		return fn(args)
	})
}

// spawn runs f on a goroutine of its own, logging instead of crashing if it panics.
// Every exported method that has to wait (WebSocket, getUserMedia, SDP) does so here.
func spawn(name string, f func()) { go safely(name, f) }

// safely runs f, logging a panic instead of letting it stop the runtime.
func safely(name string, f func()) {
	defer func() {
		if v := recover(); v != nil {
			logger.Errorf("%s failed: %v\n%s", name, v, debug.Stack())
		}
	}()
	f()
}

// invokeLater calls an app callback once the current JavaScript task has run
// to its end (a microtask: never inside the app's call into the SDK); what it
// throws is caught and logged by the loader.
func invokeLater(fn js.Value, args ...any) {
	if !isFunction(fn) {
		return
	}
	rt.Call("invokeLater", fn, js.ValueOf(args))
}

// onLaterTask runs f on a later JavaScript task (setTimeout 0), after the
// app's callbacks of the current one: for work the app need not wait for.
func onLaterTask(name string, f func()) {
	js.Global().Call("setTimeout", callOnce(name, f), 0)
}

// callOnce is a JS function that runs f once (a panic logged) and releases
// itself: for a callback the browser calls once (a timer).
func callOnce(name string, f func()) js.Func {
	var fn js.Func
	fn = js.FuncOf(func(js.Value, []js.Value) any {
		fn.Release()
		safely(name, f)
		return nil
	})
	return fn
}

// await blocks the calling goroutine (never a JS callback) until p settles.
func await(p js.Value) (js.Value, error) {
	type result struct {
		v   js.Value
		err error
	}
	ch := make(chan result, 1)
	var onOK, onErr js.Func
	onOK = js.FuncOf(func(this js.Value, args []js.Value) any {
		ch <- result{v: arg(args, 0)}
		return nil
	})
	onErr = js.FuncOf(func(this js.Value, args []js.Value) any {
		ch <- result{err: jsError(arg(args, 0))}
		return nil
	})
	defer onOK.Release()
	defer onErr.Release()
	p.Call("then", onOK, onErr)
	r := <-ch
	return r.v, r.err
}

// resolved returns Promise.resolve(v).
func resolved(v any) js.Value { return js.Global().Get("Promise").Call("resolve", v) }

// promise runs f on a goroutine and returns a Promise of its result; an error
// resolves to fallback (the SDK's methods never reject: apps ignore rejections).
func promise(name string, fallback any, f func() any) js.Value {
	var executor js.Func
	executor = js.FuncOf(func(this js.Value, args []js.Value) any {
		resolve := args[0]
		spawn(name, func() {
			v := fallback
			defer func() { resolve.Invoke(v) }()
			v = f()
		})
		return nil
	})
	defer executor.Release()
	return js.Global().Get("Promise").New(executor)
}

func arg(args []js.Value, i int) js.Value {
	if i < len(args) {
		return args[i]
	}
	return js.Undefined()
}

// jsError describes a thrown JS value or rejection reason. It reads the
// value without running anything that could throw again (the value may be
// the app's Proxy).
func jsError(v js.Value) error {
	switch appType(v) {
	case js.TypeUndefined, js.TypeNull:
		return errors.New("unknown JavaScript error")
	case js.TypeObject, js.TypeFunction:
		get := jsReflect("get")
		name, _, okName := tryInvoke(get, v, "name")
		msg, _, okMsg := tryInvoke(get, v, "message")
		if okMsg && appType(msg) == js.TypeString {
			if n := str(name); okName && n != "" {
				return fmt.Errorf("%s: %s", n, str(msg))
			}
			return errors.New(str(msg))
		}
		return errors.New("a JavaScript exception")
	}
	if s, ok := text(v); ok {
		return errors.New(s)
	}
	return errors.New("a JavaScript exception")
}

// object makes a plain JS object with the given properties.
func object(props map[string]any) js.Value {
	o := js.Global().Get("Object").New()
	for k, v := range props {
		o.Set(k, v)
	}
	return o
}

// mark records a performance mark ("exotelsdk:"+name) so apps and the
// benchmark can see where the time to "registered" goes.
func mark(name string) {
	if perf := js.Global().Get("performance"); perf.Truthy() && perf.Get("mark").Truthy() {
		perf.Call("mark", "exotelsdk:"+name)
	}
}
