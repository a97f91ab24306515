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
	locks := field(field(g, "navigator"), "locks")
	return isFunction(field(g, "BroadcastChannel")) && isFunction(field(locks, "request"))
}

// channelBus is a tabs.Bus on a BroadcastChannel; messages are JSON strings.
// Any page of the origin can post on the channel: everything that arrives
// is read and checked inside the panic guard (a BigInt, a Proxy, a huge
// string), and sdk/tabs validates the message itself.
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
		safely("tab message", func() { b.receive(arg(args, 0)) })
		return nil
	})
	b.ch.Set("onmessage", b.onmsg)
	return b
}

// receive hands a message event's data to sdk/tabs if it is a string of a
// sane size; anything else is not ours.
func (b *channelBus) receive(ev js.Value) {
	data := field(ev, "data")
	if appType(data) != js.TypeString {
		logger.Debugf("tab message that is not a string ignored")
		return
	}
	text, ok := text(data)
	if !ok {
		return
	}
	if h := b.currentHandler(); h != nil {
		h([]byte(text))
	}
}

func (b *channelBus) currentHandler() func([]byte) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.handler
}

func (b *channelBus) isClosed() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.closed
}

// Post sends msg to the other tabs; a closed channel drops it.
func (b *channelBus) Post(msg []byte) {
	if !b.isClosed() {
		safely("tab post", func() { b.ch.Call("postMessage", string(msg)) })
	}
}

func (b *channelBus) OnMessage(h func([]byte)) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.handler = h
}

func (b *channelBus) close() {
	if !b.markClosed() {
		return
	}
	b.ch.Set("onmessage", js.Null())
	b.ch.Call("close")
	b.onmsg.Release()
}

// markClosed closes once: false when it was closed already.
func (b *channelBus) markClosed() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return false
	}
	b.closed = true
	return true
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
	hold := export("lock granted", nil, func([]js.Value) any { return r.hold() })
	first := export("lock request", nil, func(args []js.Value) any {
		if lock := arg(args, 0); truthy(lock) {
			return r.hold()
		}
		if r.isReleased() {
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
	p, ok := r.keep()
	if !ok {
		return nil // given back at once
	}
	safely("lock acquired", r.acquired)
	return p
}

// keep makes the Promise that holds the lock until release, unless the
// request was withdrawn.
func (r *lockRequest) keep() (js.Value, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.released {
		return js.Undefined(), false
	}
	executor := js.FuncOf(func(this js.Value, args []js.Value) any {
		r.unlock = arg(args, 0)
		return nil
	})
	defer executor.Release()
	return js.Global().Get("Promise").New(executor), true
}

func (r *lockRequest) isReleased() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.released
}

// release gives the lock back or withdraws the waiting request.
func (r *lockRequest) release() {
	unlock, first := r.markReleased()
	if !first {
		return
	}
	safely("lock release", func() {
		if unlock.Truthy() {
			unlock.Invoke()
		} else {
			r.abort.Call("abort")
		}
	})
}

// markReleased releases once; it returns what resolves the held lock.
func (r *lockRequest) markReleased() (unlock js.Value, first bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.released {
		return js.Undefined(), false
	}
	r.released = true
	return r.unlock, true
}
