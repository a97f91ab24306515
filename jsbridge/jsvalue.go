//go:build js && wasm

package jsbridge

import (
	"fmt"
	"math"
	"syscall/js"
)

// This file is the one way the bridge reads what the app hands it. Three
// things in syscall/js would end the runtime for the whole page on hostile
// input, and every function here avoids them:
//   - Value.Type panics on a BigInt ("bad type flag"), and so does every
//     method that checks the type first (String, Get, Truthy…);
//   - Value.Get, Set, Length and Index run getters, setters and Proxy traps
//     through wasm_exec.js's valueGet/valueSet, which do not catch: a throw
//     unwinds through the Go runtime. Reflect.get and Reflect.set called with
//     Invoke go through valueInvoke, which catches, and the panic it turns
//     into is recovered here;
//   - a number from the app may be NaN or ±Infinity.
// Browser objects the bridge made itself (WebSocket, RTCPeerConnection) are
// read with syscall/js directly; anything the app gave is read here.

// typeBigInt is what appType reports for a BigInt, which js.Type cannot name.
const typeBigInt js.Type = -1

// maxAppString bounds every string the bridge takes from the app (a
// destination, a codec, a device id, a header): longer ones are refused
// without being copied, so a 10 MB string costs nothing and is never logged.
const maxAppString = 64 << 10

// appType is v's type without panicking.
func appType(v js.Value) (t js.Type) {
	defer func() {
		if recover() != nil {
			t = typeBigInt
		}
	}()
	return v.Type()
}

// isObject tells whether v can have properties (an object or a function).
func isObject(v js.Value) bool {
	t := appType(v)
	return t == js.TypeObject || t == js.TypeFunction
}

// isFunction tells whether v can be called.
func isFunction(v js.Value) bool { return appType(v) == js.TypeFunction }

// field is v[name], or undefined when v has no properties or reading it
// threw (a throwing getter or Proxy trap: logged).
func field(v js.Value, name string) js.Value {
	if !isObject(v) {
		return js.Undefined()
	}
	r, err := guardedInvoke(jsReflect("get"), v, name)
	if err != nil {
		logger.Warnf("could not read %s from the app's object: %v", name, err)
		return js.Undefined()
	}
	return r
}

// setField is v[name] = x, reporting whether it took (a setter or a
// browser property may throw: logged).
func setField(v js.Value, name string, x any) bool {
	if !isObject(v) {
		return false
	}
	r, err := guardedInvoke(jsReflect("set"), v, name, x)
	if err != nil {
		logger.Warnf("could not set %s: %v", name, err)
		return false
	}
	return appType(r) == js.TypeBoolean && r.Bool()
}

// guardedInvoke calls fn(args…) and turns a thrown exception into an error.
func guardedInvoke(fn js.Value, args ...any) (js.Value, error) {
	v, thrown, ok := tryInvoke(fn, args...)
	if !ok {
		return js.Undefined(), jsError(thrown)
	}
	return v, nil
}

// tryInvoke calls fn(args…); ok is false when it threw, with what it threw.
func tryInvoke(fn js.Value, args ...any) (v, thrown js.Value, ok bool) {
	defer func() {
		if r := recover(); r != nil {
			v, ok = js.Undefined(), false
			if e, isJS := r.(js.Error); isJS {
				thrown = e.Value
			} else {
				thrown = js.ValueOf(fmt.Sprint(r))
			}
		}
	}()
	return fn.Invoke(args...), js.Undefined(), true
}

// guardedCall calls v.method(args…) and turns a thrown exception into an error.
func guardedCall(v js.Value, method string, args ...any) (js.Value, error) {
	fn := field(v, method)
	if !isFunction(fn) {
		return js.Undefined(), fmt.Errorf("%s is not a function", method)
	}
	return guardedInvoke(jsReflect("apply"), fn, v, js.ValueOf(args))
}

func jsReflect(name string) js.Value { return js.Global().Get("Reflect").Get(name) }

// str reads a value the app passed as a string; finite numbers and booleans
// are accepted too (apps pass port: 443). Anything else, or a string longer
// than maxAppString, is "".
func str(v js.Value) string {
	s, _ := text(v)
	return s
}

// text is str that also tells whether v was usable.
func text(v js.Value) (string, bool) {
	switch appType(v) {
	case js.TypeString:
		// Object(s).length: the length without copying the string into Go
		// (Value.Length works on objects only).
		if n := js.Global().Get("Object").Invoke(v).Get("length").Int(); n > maxAppString {
			logger.Warnf("a string of %d characters from the app was refused (at most %d)", n, maxAppString)
			return "", false
		}
		return v.String(), true
	case js.TypeNumber:
		f := v.Float()
		switch {
		case math.IsNaN(f) || math.IsInf(f, 0):
			return "", false
		case f == math.Trunc(f) && math.Abs(f) < 1<<53:
			return fmt.Sprint(int64(f)), true
		}
		return fmt.Sprint(f), true
	case js.TypeBoolean:
		return fmt.Sprint(v.Bool()), true
	}
	return "", false
}

// finite reads a number the app passed; NaN, ±Infinity and non-numbers are refused.
func finite(v js.Value) (float64, bool) {
	if appType(v) != js.TypeNumber {
		return 0, false
	}
	f := v.Float()
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// truthy is JavaScript's truthiness of an app value (BigInt included).
func truthy(v js.Value) bool {
	if appType(v) == typeBigInt {
		r, err := guardedInvoke(js.Global().Get("Boolean"), v)
		return err == nil && r.Bool()
	}
	return v.Truthy()
}

// maxAppList bounds the arrays the bridge reads from the app (wsUrls, ICE servers).
const maxAppList = 64

// elements reads an array-like app value, at most maxAppList items; nil when
// v is not one.
func elements(v js.Value) []js.Value {
	n, ok := finite(field(v, "length"))
	if !ok || n < 0 {
		return nil
	}
	if n > maxAppList {
		logger.Warnf("a list of %v items from the app was cut to %d", n, maxAppList)
		n = maxAppList
	}
	out := make([]js.Value, 0, int(n))
	for i := 0; i < int(n); i++ {
		out = append(out, field(v, fmt.Sprint(i)))
	}
	return out
}

// keys is Object.keys(v) for an app object, at most maxAppList of them.
func keys(v js.Value) []string {
	if !isObject(v) {
		return nil
	}
	list, err := guardedInvoke(js.Global().Get("Object").Get("keys"), v)
	if err != nil {
		logger.Warnf("could not list the app object's keys: %v", err)
		return nil
	}
	var out []string
	for _, k := range elements(list) {
		if s, ok := text(k); ok {
			out = append(out, s)
		}
	}
	return out
}

// jsonText is JSON.stringify(v) for an app value, or an error when it
// cannot be (a BigInt, a cycle, a throwing getter, too deep).
func jsonText(v js.Value) (string, error) {
	r, err := guardedInvoke(js.Global().Get("JSON").Get("stringify"), v)
	if err != nil {
		return "", err
	}
	s, ok := text(r)
	if !ok {
		return "", fmt.Errorf("not representable as JSON")
	}
	return s, nil
}
