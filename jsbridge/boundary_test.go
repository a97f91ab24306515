//go:build js && wasm

package jsbridge

import (
	_ "embed"
	"sort"
	"strings"
	"sync"
	"syscall/js"
	"testing"
	"time"
)

// These tests are the app as a hostile caller, run in Node (GOOS=js): every
// method of ExotelWebClient and of Call gets undefined, null, NaN, Infinity,
// 10n, a Symbol, a throwing Proxy, a 10 MB string, a function and a deep
// object, in 0 to 3 arguments, and after each call the runtime must still
// answer. A Go panic that escapes, a lock left held, or a JS exception thrown
// by a getter inside the SDK would end the runtime (or throw to the app) here.
//
// Run with: GOOS=js GOARCH=wasm go test -exec="$(go env GOROOT)/lib/wasm/go_js_wasm_exec" -run Hostile ./jsbridge

//go:embed testdata/hostile_page.js
var hostilePage string

var startOnce sync.Once

// hostileAPI starts the bridge once, in a page made by hostile_page.js, and
// returns the API the loader would get.
func hostileAPI(t *testing.T) js.Value {
	startOnce.Do(func() {
		js.Global().Call("eval", hostilePage)
		Start()
	})
	api := js.Global().Get("__api")
	if api.Type() != js.TypeObject {
		t.Fatal("the bridge did not start")
	}
	api.Call("setEnableConsoleLogging", false)
	return api
}

type hostileValue struct {
	name string
	v    js.Value
}

func hostileValues() []hostileValue {
	list := js.Global().Call("__hostileValues")
	out := make([]hostileValue, list.Length())
	for i := range out {
		out[i] = hostileValue{list.Index(i).Index(0).String(), list.Index(i).Index(1)}
	}
	return out
}

// call is the app calling obj.name(args…): what it threw, "" if nothing.
func call(obj js.Value, name string, args ...any) (js.Value, string) {
	r := js.Global().Call("__callSafely", obj, name, js.ValueOf(args))
	if !r.Get("ok").Bool() {
		return js.Undefined(), r.Get("error").String()
	}
	return r.Get("value"), ""
}

// methodNames lists obj's own methods, sorted, with the ones in last moved to the end.
func methodNames(obj js.Value, last ...string) []string {
	keys := js.Global().Get("Object").Call("keys", obj)
	var names, tail []string
	for i := 0; i < keys.Length(); i++ {
		k := keys.Index(i).String()
		if obj.Get(k).Type() != js.TypeFunction {
			continue
		}
		if contains(last, k) {
			tail = append(tail, k)
		} else {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	sort.Strings(tail)
	return append(names, tail...)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// assertAnswers checks that the runtime still answers: a synchronous method
// returns, and an asynchronous one (a goroutine, a lock, the app callback on
// a later task) calls back within a deadline.
func assertAnswers(t *testing.T, client js.Value, after string) {
	t.Helper()
	if v, thrown := call(client, "getVersion"); thrown != "" || v.Type() != js.TypeString {
		t.Fatalf("after %s the runtime no longer answers getVersion: %s", after, thrown)
	}
	done := make(chan string, 1)
	cb := js.FuncOf(func(this js.Value, args []js.Value) any {
		select {
		case done <- args[0].String():
		default:
		}
		return nil
	})
	defer cb.Release()
	if _, thrown := call(client, "checkClientStatus", cb); thrown != "" {
		t.Fatalf("after %s checkClientStatus threw: %s", after, thrown)
	}
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("after %s checkClientStatus never called back", after)
	}
}

// hammer calls every method in names on obj with each hostile value in 0..3
// arguments (the same value in each, then the values rotated across the
// arguments), asserting after each call that nothing was thrown to the app
// and, after each method, that the runtime answers.
func hammer(t *testing.T, client, obj js.Value, what string, names []string) int {
	t.Helper()
	values := hostileValues()
	calls := 0
	for _, name := range names {
		argLists := [][]any{{}}
		for n := 1; n <= 3; n++ {
			for i := range values {
				same, rotated := make([]any, n), make([]any, n)
				for k := 0; k < n; k++ {
					same[k] = values[i].v
					rotated[k] = values[(i+k)%len(values)].v
				}
				argLists = append(argLists, same, rotated)
			}
		}
		for _, args := range argLists {
			calls++
			if _, thrown := call(obj, name, args...); thrown != "" {
				t.Errorf("%s.%s(%s) threw to the app: %s", what, name, describe(args, values), firstLine(thrown))
			}
			if v, thrown := call(client, "getVersion"); thrown != "" || v.Type() != js.TypeString {
				t.Fatalf("after %s.%s(%s) the runtime no longer answers: %s", what, name, describe(args, values), thrown)
			}
		}
		assertAnswers(t, client, what+"."+name)
	}
	return calls
}

func describe(args []any, values []hostileValue) string {
	var parts []string
	for _, a := range args {
		for _, hv := range values {
			if a.(js.Value).Equal(hv.v) || (hv.name == "NaN" && a.(js.Value).Type() == js.TypeNumber && a.(js.Value).Float() != a.(js.Value).Float()) {
				parts = append(parts, hv.name)
				break
			}
		}
	}
	return strings.Join(parts, ", ")
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// hostileSkip are methods that would end the test's page rather than test it.
var hostileSkip = []string{"downloadLogs"} // saves a file through the DOM; not in Node

func TestHostileArgumentsToEveryClientMethod(t *testing.T) {
	api := hostileAPI(t)
	client := api.Call("newClient")
	var names []string
	for _, n := range methodNames(client, "UnRegister") {
		if !contains(hostileSkip, n) {
			names = append(names, n)
		}
	}
	calls := hammer(t, client, client, "ExotelWebClient", names)
	for _, name := range []string{"registerLoggerCallback", "setEnableConsoleLogging", "log"} {
		calls += hammer(t, client, api, "static", []string{name})
	}
	api.Call("setEnableConsoleLogging", false)
	t.Logf("%d calls, the runtime answered after each", calls)
}

func TestInitWebrtcWithThrowingGettersReturnsFalse(t *testing.T) {
	api := hostileAPI(t)
	client := api.Call("newClient")
	noop := js.FuncOf(func(js.Value, []js.Value) any { return nil })
	defer noop.Release()
	v, thrown := call(client, "initWebrtc", js.Global().Call("__throwingAccount"), noop, noop, noop)
	if thrown != "" {
		t.Fatalf("initWebrtc threw to the app: %s", firstLine(thrown))
	}
	if got := awaitValue(t, v); got.Type() != js.TypeBoolean || got.Bool() {
		t.Fatalf("initWebrtc with throwing getters resolved %v, want false", got)
	}
	assertAnswers(t, client, "initWebrtc with throwing getters")
}

func TestSetPreferredCodecBigIntTwiceDoesNotDeadlock(t *testing.T) {
	api := hostileAPI(t)
	client := api.Call("newClient")
	big := js.Global().Call("eval", "10n")
	for i := 0; i < 2; i++ {
		if _, thrown := call(client, "setPreferredCodec", big); thrown != "" {
			t.Fatalf("setPreferredCodec(10n) threw: %s", thrown)
		}
	}
	assertAnswers(t, client, "setPreferredCodec(10n) twice")
}

func TestNonFiniteVolumesAreRefused(t *testing.T) {
	api := hostileAPI(t)
	client := api.Call("newClient")
	for _, bad := range []string{"NaN", "Infinity", "-Infinity", "10n"} {
		call(client, "setCallAudioOutputVolume", js.Global().Call("eval", bad))
		v, _ := call(client, "getCallAudioOutputVolume")
		if v.Type() != js.TypeNumber || v.Float() != 1 {
			t.Errorf("after setCallAudioOutputVolume(%s) the volume is %v, want 1 (unchanged)", bad, v)
		}
		if r, _ := call(client, "setSoundVolume", "ringtone", js.Global().Call("eval", bad)); r.Truthy() {
			t.Errorf("setSoundVolume('ringtone', %s) accepted", bad)
		}
	}
}

// awaitValue waits for a Promise (or returns a plain value).
func awaitValue(t *testing.T, v js.Value) js.Value {
	t.Helper()
	if v.Type() != js.TypeObject || v.Get("then").Type() != js.TypeFunction {
		return v
	}
	ch := make(chan js.Value, 1)
	ok := js.FuncOf(func(this js.Value, args []js.Value) any { ch <- args[0]; return nil })
	defer ok.Release()
	v.Call("then", ok)
	select {
	case r := <-ch:
		return r
	case <-time.After(10 * time.Second):
		t.Fatal("the Promise never settled")
		return js.Undefined()
	}
}
