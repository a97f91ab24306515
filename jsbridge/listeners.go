//go:build js && wasm

package jsbridge

import (
	"sync"
	"syscall/js"
)

// eventListeners are the handlers added to one browser object (a WebSocket,
// an RTCPeerConnection), kept so they can all be removed and freed at once.
// A handler that panics is logged; the panic never reaches the page.
type eventListeners struct {
	target js.Value
	what   string // names the object in logs
	mu     sync.Mutex
	list   []eventListener
}

type eventListener struct {
	event string
	fn    js.Func
}

// on adds f as the handler of event.
func (l *eventListeners) on(event string, f func(js.Value)) {
	fn := js.FuncOf(func(this js.Value, args []js.Value) any {
		safely(l.what+" "+event+" handler", func() { f(arg(args, 0)) })
		return nil
	})
	l.keep(eventListener{event, fn})
	l.target.Call("addEventListener", event, fn)
}

// removeAll detaches and frees every handler; none can fire afterwards.
func (l *eventListeners) removeAll() {
	for _, e := range l.take() {
		l.target.Call("removeEventListener", e.event, e.fn)
		e.fn.Release()
	}
}

func (l *eventListeners) keep(e eventListener) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.list = append(l.list, e)
}

// take empties the list and returns what it held.
func (l *eventListeners) take() []eventListener {
	l.mu.Lock()
	defer l.mu.Unlock()
	list := l.list
	l.list = nil
	return list
}
