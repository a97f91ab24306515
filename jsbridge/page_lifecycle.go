//go:build js && wasm

package jsbridge

import (
	"sync"
	"syscall/js"
)

var pageWatch sync.Once

// watchPageHide ends calls and registrations when the page goes away
// (pagehide: the tab closes, reloads or navigates): the far end gets a BYE
// instead of a call that hangs until its media times out, and the registrar
// drops the contact instead of routing calls to a tab that is gone. Every
// message is written before the handler returns.
func watchPageHide() {
	pageWatch.Do(func() {
		js.Global().Call("addEventListener", "pagehide", export("onpagehide", nil, func([]js.Value) any {
			for _, p := range pagePhones() {
				p.Shutdown()
			}
			consoleLater.flush() // the page will not be idle again (console_later.go)
			return nil
		}))
	})
}
