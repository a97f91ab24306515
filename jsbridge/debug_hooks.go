//go:build js && wasm

package jsbridge

import (
	"runtime"
	"sync/atomic"
	"syscall/js"
)

// exposeDebugHooks serves the start-up benchmark (tests/e2e/bench_startup_test.go):
// a page that defines globalThis.exotelsdkDebugHooks = {} before the wasm
// starts gets hooks.memStats(), which returns the Go heap figures
// (runtime.ReadMemStats), the goroutine count, how many calls' Go sides
// and media sessions are kept and how much text the log book holds.
// Pages that do not ask get nothing, and their sessions carry no marker.
func exposeDebugHooks() {
	hooks := js.Global().Get("exotelsdkDebugHooks")
	if hooks.Type() != js.TypeObject {
		return
	}
	countSessions.Store(true)
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
			"sessions":    sessionsInHeap.Load(),
		})
	}))
}

// sessionsInHeap is how many calls' media sessions (each with its
// RTCPeerConnection) the Go heap still holds: the benchmark shows that Go
// lets go of ended calls. Each session carries a heapMarker whose finalizer
// counts it out. The marker, unlike the session, is in no cycle (a
// session's callbacks reach its call, which holds it, and Go does not run
// the finalizer of an object in a cycle), so it is finalized once the
// session is unreachable. Only a page that asked for the debug hooks
// counts (countSessions): others pay no finalizer per call.
var (
	sessionsInHeap atomic.Int32
	countSessions  atomic.Bool
)

type heapMarker struct{ _ [16]byte } // 16 bytes: not the tiny allocator's, whose blocks are shared

// countedInHeap is a new session's marker, or nil when nobody counts.
func countedInHeap() *heapMarker {
	if !countSessions.Load() {
		return nil
	}
	sessionsInHeap.Add(1)
	m := &heapMarker{}
	runtime.SetFinalizer(m, func(*heapMarker) { sessionsInHeap.Add(-1) })
	return m
}
