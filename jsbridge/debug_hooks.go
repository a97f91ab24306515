//go:build js && wasm

package jsbridge

import (
	"runtime"
	"syscall/js"
)

// exposeDebugHooks serves the start-up benchmark (tests/e2e/bench_startup_test.go):
// a page that defines globalThis.exotelsdkDebugHooks = {} before the wasm
// starts gets hooks.memStats(), which returns the Go heap figures
// (runtime.ReadMemStats), the goroutine count, how many calls' Go sides
// are kept and how much text the log book holds. Pages that do not ask get nothing.
func exposeDebugHooks() {
	hooks := js.Global().Get("exotelsdkDebugHooks")
	if hooks.Type() != js.TypeObject {
		return
	}
	hooks.Set("memStats", export("memStats", nil, func([]js.Value) any {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return object(map[string]any{
			"heapAlloc":   float64(m.HeapAlloc),
			"heapInuse":   float64(m.HeapInuse),
			"heapSys":     float64(m.HeapSys),
			"sys":         float64(m.Sys),
			"numGC":       float64(m.NumGC),
			"goroutines":  runtime.NumGoroutine(),
			"callObjects": callObjectsKept(), // call_object.go
			"logBytes":    book.Bytes(),      // the log book's text, bounded (2 MB)
		})
	}))
}
