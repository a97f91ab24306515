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
// The Go side of a call (a jsCall, or in a follower tab the proxyCall of
// the leader's call) is kept in callObjects while the call lives, with a
// strong reference to its object. Once the call has had its last event, the
// object is held only weakly (a WeakRef), and a FinalizationRegistry tells
// us when the app has dropped it: the Go side is forgotten then, and with it
// the call. Where the browser has neither, the call stays, as before.
var callObjects = struct {
	sync.Mutex
	proto    js.Value
	defined  map[string]bool // method names on proto
	byID     map[int]*callObject
	next     int
	registry js.Value // a FinalizationRegistry, or undefined
}{defined: map[string]bool{}, byID: map[int]*callObject{}}

// callObject is the Go side of one Call object: its methods, and the
// object itself (see object). owner is the *jsCall or *proxyCall it is of.
type callObject struct {
	owner any

	mu      sync.Mutex
	obj     js.Value // the object while the call lives
	weak    js.Value // a WeakRef to it after release
	methods map[string]func(args []js.Value) any
}

// callIDKey is the property holding a Call object's id (not enumerable).
const callIDKey = "__exotelsdkCallId"

// newCallObject makes the JS object of owner, on the shared prototype.
func newCallObject(owner any) *callObject {
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
	co := &callObject{owner: owner, obj: objectCtor.Call("create", callObjects.proto), methods: map[string]func([]js.Value) any{}}
	objectCtor.Call("defineProperty", co.obj, callIDKey, map[string]any{"value": id})
	callObjects.byID[id] = co
	if !callObjects.registry.IsUndefined() {
		callObjects.registry.Call("register", co.obj, id)
	}
	return co
}

// forgetCallObject drops the Go side of a call whose object the app no
// longer holds (the FinalizationRegistry's callback).
func forgetCallObject(id int) {
	callObjects.Lock()
	defer callObjects.Unlock()
	co := callObjects.byID[id]
	if co != nil && co.released() {
		delete(callObjects.byID, id)
	}
}

// callOf is the jsCall whose object v is, or nil.
func callOf(v js.Value) *jsCall {
	jc, _ := callObjectOf(v).owner.(*jsCall)
	return jc
}

// callObjectOf is the Go side of the Call object v, or an empty one.
func callObjectOf(v js.Value) *callObject {
	id := field(v, callIDKey)
	if id.Type() == js.TypeNumber {
		callObjects.Lock()
		defer callObjects.Unlock()
		if co := callObjects.byID[id.Int()]; co != nil {
			return co
		}
	}
	return &callObject{}
}

// resolvedPromise is a method's fallback that is a Promise resolved to v,
// made only when it is returned (a call defines its methods each time, and
// only the page's first definition keeps its fallback).
type resolvedPromise struct{ v any }

// fallbackValue is the value a method returns for its fallback f.
func fallbackValue(f any) any {
	if r, ok := f.(resolvedPromise); ok {
		return resolved(r.v)
	}
	return f
}

// method gives co's object the method name: fn is run with the call's
// arguments; fallback is returned when it panics (logged), when the method
// is called on something that is not a Call object, or on a Call that has
// no such method (a follower tab's proxy has no video or quality methods).
func (co *callObject) method(name string, fallback any, fn func(args []js.Value) any) {
	co.mu.Lock()
	co.methods[name] = fn
	co.mu.Unlock()
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
				result = fallbackValue(fallback)
			}
		}()
		co := callObjectOf(this)
		if co.owner == nil {
			logger.Warnf("Call.%s: called on something that is not a call object of this SDK", name)
			return fallbackValue(fallback)
		}
		co.mu.Lock()
		f := co.methods[name]
		co.mu.Unlock()
		if f == nil {
			logger.Warnf("Call.%s: not available on a call of another tab", name)
			return fallbackValue(fallback)
		}
		return f(args)
	}))
}

// object is the JS object: held strongly while the call lives, then only
// as long as the app holds it (undefined after that).
func (co *callObject) object() js.Value {
	co.mu.Lock()
	defer co.mu.Unlock()
	if !co.obj.IsUndefined() {
		return co.obj
	}
	if co.weak.IsUndefined() {
		return js.Undefined()
	}
	return co.weak.Call("deref")
}

// release holds the object of a call that has had its last event only
// weakly, so that the call can go once the app drops it.
func (co *callObject) release() {
	weakRef := js.Global().Get("WeakRef")
	if callObjects.registry.IsUndefined() || !isFunction(weakRef) {
		return
	}
	co.mu.Lock()
	defer co.mu.Unlock()
	if co.obj.IsUndefined() {
		return
	}
	co.weak, co.obj = weakRef.New(co.obj), js.Undefined()
}

// released tells whether release has run.
func (co *callObject) released() bool {
	co.mu.Lock()
	defer co.mu.Unlock()
	return co.obj.IsUndefined()
}

// set is object()[name] = v, if the object is still there.
func (co *callObject) set(name string, v any) {
	if obj := co.object(); !obj.IsUndefined() {
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
