//go:build js && wasm

package jsbridge

import (
	"sync"
	"syscall/js"

	"github.com/webphone/exotelsdk/sdk/phone"
)

var networkWatch sync.Once

// watchNetwork forwards the browser's online/offline events to every phone in
// the page, once: offline pauses reconnecting, online reconnects at once and
// restarts ICE on calls.
func watchNetwork() {
	networkWatch.Do(func() {
		for _, name := range []string{"online", "offline"} {
			online := name == "online"
			js.Global().Call("addEventListener", name, export("on"+name, nil, func([]js.Value) any {
				logger.Infof("browser reports %s", name)
				for _, p := range pagePhones() {
					spawn("network change", func() { p.NetworkChanged(online) })
				}
				return nil
			}))
		}
	})
}

// pagePhones lists the phones of every initialised client in the page.
func pagePhones() []*phone.Phone {
	var out []*phone.Phone
	for _, c := range phonesInPage.All() {
		if p := c.currentPhone(""); p != nil {
			out = append(out, p)
		}
	}
	return out
}
