//go:build js && wasm

package jsbridge

import (
	"runtime/debug"
	"sync"
	"syscall/js"
)

// Call objects and how long their Go side lives.
//
// A call's methods are defined once, on a prototype every Call object
// shares: one js.Func per method name for the whole page, never released,
// which finds its call by the id the object carries (callIDKey). A js.Func
// per call and method, as before, could never be released (the app may call
// an ended call's object, and a released function kills the runtime), so
// every call ever made stayed in the Go heap with its peer connection.
//
// The Go side of a call (its jsCall) is kept in callObjects while the call
// lives, with a strong reference to its object. Once the call has had its
// last event, the object is held only weakly (a WeakRef), and a
// FinalizationRegistry tells us when the app has dropped it: the jsCall is
// forgotten then, and with it the call. Where the browser has neither, the
// call stays, as before.
var callObjects = struct {
	sync.Mutex
	proto    js.Value
	defined  map[string]bool // method names on proto
	byID     map[int]*jsCall
	next     int
	registry js.Value // a FinalizationRegistry, or undefined
}{defined: map[string]bool{}, byID: map[int]*jsCall{}}

// callIDKey is the property holding a Call object's id (not enumerable).
const callIDKey = "__exotelsdkCallId"

// newCallObject makes the JS object of jc, on the shared prototype.
func newCallObject(jc *jsCall) js.Value {
	objectCtor := js.Global().Get("Object")
	callObjects.Lock()
	defer callObjects.Unlock()
	if callObjects.proto.IsUndefined() {
		callObjects.proto = objectCtor.New()
		if fr := js.Global().Get("FinalizationRegistry"); isFunction(fr) && isFunction(js.Global().Get("WeakRef")) {
			callObjects.registry = fr.New(js.FuncOf(func(_ js.Value, args []js.Value) any {
				if len(args) > 0 && args[0].Type() == js.TypeNumber {
					forgetCallObject(args[0].Int())
				}
				return nil
			}))
		}
	}
	callObjects.next++
	id := callObjects.next
	obj := objectCtor.Call("create", callObjects.proto)
	objectCtor.Call("defineProperty", obj, callIDKey, map[string]any{"value": id})
	callObjects.byID[id] = jc
	if !callObjects.registry.IsUndefined() {
		callObjects.registry.Call("register", obj, id)
	}
	return obj
}

// forgetCallObject drops the Go side of a call whose object the app no
// longer holds (the FinalizationRegistry's callback).
func forgetCallObject(id int) {
	callObjects.Lock()
	defer callObjects.Unlock()
	jc := callObjects.byID[id]
	if jc != nil && jc.released() {
		delete(callObjects.byID, id)
	}
}

// callOf is the jsCall whose object v is, or nil.
func callOf(v js.Value) *jsCall {
	id := field(v, callIDKey)
	if id.Type() != js.TypeNumber {
		return nil
	}
	callObjects.Lock()
	defer callObjects.Unlock()
	return callObjects.byID[id.Int()]
}

// method gives jc's object the method name: fn is run with the call's
// arguments; fallback is returned when it panics (logged) or when the
// method is called on something that is not a Call object.
func (jc *jsCall) method(name string, fallback any, fn func(args []js.Value) any) {
	jc.mu.Lock()
	jc.methods[name] = fn
	jc.mu.Unlock()
	callObjects.Lock()
	defer callObjects.Unlock()
	if callObjects.defined[name] {
		return
	}
	callObjects.defined[name] = true
	callObjects.proto.Set(name, js.FuncOf(func(this js.Value, args []js.Value) (result any) {
		defer func() {
			if r := recover(); r != nil {
				logger.Errorf("Call.%s failed: %v\n%s", name, r, debug.Stack())
				result = fallback
			}
		}()
		jc := callOf(this)
		if jc == nil {
			logger.Warnf("Call.%s: called on something that is not a call object of this SDK", name)
			return fallback
		}
		jc.mu.Lock()
		f := jc.methods[name]
		jc.mu.Unlock()
		if f == nil {
			return fallback
		}
		return f(args)
	}))
}

// object is jc's JS object: held strongly while the call lives, then only
// as long as the app holds it (undefined after that).
func (jc *jsCall) object() js.Value {
	jc.mu.Lock()
	defer jc.mu.Unlock()
	if !jc.obj.IsUndefined() {
		return jc.obj
	}
	if jc.weak.IsUndefined() {
		return js.Undefined()
	}
	return jc.weak.Call("deref")
}

// release holds the object of a call that has had its last event only
// weakly, so that the call can go once the app drops it.
func (jc *jsCall) release() {
	weakRef := js.Global().Get("WeakRef")
	if callObjects.registry.IsUndefined() || !isFunction(weakRef) {
		return
	}
	jc.mu.Lock()
	defer jc.mu.Unlock()
	if jc.obj.IsUndefined() {
		return
	}
	jc.weak, jc.obj = weakRef.New(jc.obj), js.Undefined()
}

// released tells whether release has run.
func (jc *jsCall) released() bool {
	jc.mu.Lock()
	defer jc.mu.Unlock()
	return jc.obj.IsUndefined()
}

// set is object()[name] = v, if the object is still there.
func (jc *jsCall) set(name string, v any) {
	if obj := jc.object(); !obj.IsUndefined() {
		obj.Set(name, v)
	}
}

// callObjectsKept is how many calls' Go sides are kept (the debug hooks
// report it: the tests prove ended calls go once the page drops them).
func callObjectsKept() int {
	callObjects.Lock()
	defer callObjects.Unlock()
	return len(callObjects.byID)
}
