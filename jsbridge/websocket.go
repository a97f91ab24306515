//go:build js && wasm

package jsbridge

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"syscall/js"

	"github.com/webphone/exotelsdk/sdk/sipua"
)

// wsDialer opens browser WebSockets with the "sip" subprotocol (RFC 7118).
type wsDialer struct{}

// wsTransport is one open WebSocket carrying SIP messages as text frames.
type wsTransport struct {
	ws        js.Value
	listeners *eventListeners
	mu        sync.Mutex
	open      bool // Dial succeeded: a later close is reported to onClose
	closed    bool
	onClose   func(error)
}

// Dial opens url and waits until it is open, failed, or ctx ends.
func (wsDialer) Dial(ctx context.Context, url string, onFrame func([]byte), onClose func(error)) (sipua.Transport, error) {
	ctor := field(js.Global(), "WebSocket")
	if !isFunction(ctor) {
		return nil, errors.New("this browser has no WebSocket")
	}
	mark("ws-dial")
	ws := earlySocket(url)
	if ws.IsNull() {
		var err error
		if ws, err = construct(ctor, url, "sip"); err != nil {
			return nil, fmt.Errorf("cannot open WebSocket %s: %w", url, err)
		}
	}
	t := &wsTransport{ws: ws, onClose: onClose}
	t.listeners = &eventListeners{target: t.ws, what: "WebSocket"}
	t.ws.Set("binaryType", "arraybuffer")
	opened := make(chan error, 1)
	var once sync.Once
	settle := func(err error) { once.Do(func() { opened <- err }) }

	t.listeners.on("open", func(js.Value) { mark("ws-open"); settle(nil) })
	t.listeners.on("error", func(js.Value) { settle(errors.New("WebSocket error")) })
	t.listeners.on("close", func(ev js.Value) {
		err := fmt.Errorf("WebSocket closed (code %d%s)", ev.Get("code").Int(), reasonSuffix(ev))
		settle(err)
		t.closedByPeer(err)
	})
	if ws.Get("readyState").Int() == 1 { // an early socket, already open
		mark("ws-open")
		settle(nil)
	}
	t.listeners.on("message", func(ev js.Value) {
		data := ev.Get("data")
		if data.Type() == js.TypeString {
			onFrame([]byte(data.String()))
			return
		}
		u8 := js.Global().Get("Uint8Array").New(data)
		b := make([]byte, u8.Length())
		js.CopyBytesToGo(b, u8)
		onFrame(b)
	})

	var err error
	select {
	case err = <-opened:
	case <-ctx.Done():
		err = fmt.Errorf("WebSocket %s did not open: %w", url, ctx.Err())
	}
	if err != nil {
		t.shutdown()
		return nil, err
	}
	if p := t.ws.Get("protocol").String(); p != "sip" {
		t.shutdown()
		return nil, fmt.Errorf("server at %s did not accept the sip subprotocol (got %q)", url, p)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return nil, fmt.Errorf("WebSocket %s closed while opening", url)
	}
	t.open = true
	return t, nil
}

// earlySocket is the WebSocket to url the loader opened while the wasm
// loaded (scripts/loader-preconnect.js), or null.
func earlySocket(url string) js.Value {
	if rt.Type() != js.TypeObject || !isFunction(rt.Get("takeSocket")) {
		return js.Null()
	}
	ws, _, ok := tryInvoke(rt.Get("takeSocket"), url)
	if !ok || ws.Type() != js.TypeObject {
		return js.Null()
	}
	return ws
}

func reasonSuffix(ev js.Value) string {
	if r := ev.Get("reason").String(); r != "" {
		return ": " + r
	}
	return ""
}

// Send writes one SIP message as a text frame.
func (t *wsTransport) Send(frame []byte) error {
	if t.isClosed() || t.ws.Get("readyState").Int() != 1 {
		return sipua.ErrNotConnected
	}
	_, err := guardedCall(t.ws, "send", string(frame))
	return err
}

// Close closes the WebSocket on our initiative; onClose is not called.
func (t *wsTransport) Close() error {
	t.shutdown()
	return nil
}

func (t *wsTransport) shutdown() {
	if _, first := t.markClosed(); !first {
		return
	}
	t.ws.Call("close", 1000)
	t.listeners.removeAll()
}

// closedByPeer handles a close we did not ask for: the phone is told once.
func (t *wsTransport) closedByPeer(err error) {
	report, first := t.markClosed()
	if !first {
		return
	}
	t.listeners.removeAll()
	if report && t.onClose != nil {
		spawn("WebSocket close", func() { t.onClose(err) })
	}
}

func (t *wsTransport) isClosed() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.closed
}

// markClosed closes the transport once; wasOpen tells whether Dial had
// succeeded (a later close is then reported).
func (t *wsTransport) markClosed() (wasOpen, first bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return false, false
	}
	t.closed = true
	return t.open, true
}
