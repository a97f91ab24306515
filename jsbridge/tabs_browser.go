//go:build js && wasm

package jsbridge

import (
	"sync"
	"syscall/js"
)

// The browser side of sdk/tabs: a BroadcastChannel as its Bus and the Web
// Locks API as its Lock.

// tabsChannel is the BroadcastChannel every tab of an origin running the SDK
// shares; messages name their account.
const tabsChannel = "exotelsdk"

// tabsSupported reports whether multi-tab coordination can work here: Web
// Locks exist only in secure contexts (https, localhost).
func tabsSupported() bool {
	g := js.Global()
	locks := g.Get("navigator").Get("locks")
	return g.Get("BroadcastChannel").Truthy() && locks.Truthy() && locks.Get("request").Truthy()
}

// channelBus is a tabs.Bus on a BroadcastChannel; messages are JSON strings.
type channelBus struct {
	ch js.Value

	mu      sync.Mutex
	handler func([]byte)
	onmsg   js.Func
	closed  bool
}

func newChannelBus() *channelBus {
	b := &channelBus{ch: js.Global().Get("BroadcastChannel").New(tabsChannel)}
	b.onmsg = js.FuncOf(func(this js.Value, args []js.Value) any {
		data := arg(args, 0).Get("data")
		b.mu.Lock()
		h := b.handler
		b.mu.Unlock()
		if h != nil && data.Type() == js.TypeString { // anything else is not ours
			safely("tab message", func() { h([]byte(data.String())) })
		}
		return nil
	})
	b.ch.Set("onmessage", b.onmsg)
	return b
}

// Post sends msg to the other tabs; a closed channel drops it.
func (b *channelBus) Post(msg []byte) {
	b.mu.Lock()
	closed := b.closed
	b.mu.Unlock()
	if !closed {
		safely("tab post", func() { b.ch.Call("postMessage", string(msg)) })
	}
}

func (b *channelBus) OnMessage(h func([]byte)) {
	b.mu.Lock()
	b.handler = h
	b.mu.Unlock()
}

func (b *channelBus) close() {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return
	}
	b.closed = true
	b.mu.Unlock()
	b.ch.Set("onmessage", js.Null())
	b.ch.Call("close")
	b.onmsg.Release()
}

// webLock is a tabs.Lock on navigator.locks. A request first asks with
// ifAvailable, so that a busy lock is known at once (the tab follows), then
// waits in the browser's queue. The lock callback's Promise settles only on
// release, so the lock is held until then or until the tab goes away.
type webLock struct{}

// lockRequest is one Acquire: its state and the JS functions it made. The
// functions are kept for the life of the page (a few per DoRegister).
type lockRequest struct {
	name     string
	busy     func()
	acquired func()
	abort    js.Value // AbortController of the queued request

	mu       sync.Mutex
	released bool
	unlock   js.Value // resolves the Promise that holds the lock
}

func (webLock) Acquire(name string, busy, acquired func()) (release func()) {
	r := &lockRequest{name: name, busy: busy, acquired: acquired, abort: js.Global().Get("AbortController").New()}
	locks := js.Global().Get("navigator").Get("locks")
	ignore := js.FuncOf(func(js.Value, []js.Value) any { return nil }) // a withdrawn request rejects with AbortError
	hold := js.FuncOf(func(this js.Value, args []js.Value) any { return r.hold() })
	first := js.FuncOf(func(this js.Value, args []js.Value) any {
		if lock := arg(args, 0); lock.Truthy() {
			return r.hold()
		}
		r.mu.Lock()
		released := r.released
		r.mu.Unlock()
		if released {
			return nil
		}
		safely("lock busy", r.busy)
		opts := object(map[string]any{"mode": "exclusive", "signal": r.abort.Get("signal")})
		locks.Call("request", name, opts, hold).Call("catch", ignore)
		return nil
	})
	locks.Call("request", name, object(map[string]any{"mode": "exclusive", "ifAvailable": true}), first).Call("catch", ignore)
	return r.release
}

// hold runs when the browser grants the lock: it returns the Promise that
// keeps it, unless the request was withdrawn meanwhile.
func (r *lockRequest) hold() any {
	r.mu.Lock()
	if r.released {
		r.mu.Unlock()
		return nil // given back at once
	}
	var executor js.Func
	executor = js.FuncOf(func(this js.Value, args []js.Value) any {
		r.unlock = args[0]
		return nil
	})
	p := js.Global().Get("Promise").New(executor)
	executor.Release()
	r.mu.Unlock()
	safely("lock acquired", r.acquired)
	return p
}

// release gives the lock back or withdraws the waiting request.
func (r *lockRequest) release() {
	r.mu.Lock()
	if r.released {
		r.mu.Unlock()
		return
	}
	r.released = true
	unlock := r.unlock
	r.mu.Unlock()
	safely("lock release", func() {
		if unlock.Truthy() {
			unlock.Invoke()
		} else {
			r.abort.Call("abort")
		}
	})
}
