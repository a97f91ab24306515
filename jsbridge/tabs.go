//go:build js && wasm

package jsbridge

import (
	"syscall/js"

	"github.com/webphone/exotelsdk/sdk/phone"
)

// tabSession coordinates the tabs of one origin that use the same account
// (SessionListener). Not implemented yet: every hook keeps the single-tab
// behaviour.
type tabSession struct{}

// sessionListener is SessionListener(): multi-tab coordination.
func (c *client) sessionListener(args []js.Value) any { return notImplemented("SessionListener") }

// register is DoRegister with tabs: only the leader tab registers.
func (t *tabSession) register(p *phone.Phone) bool { return p.Register() }

// unregister is UnRegister with tabs.
func (t *tabSession) unregister(p *phone.Phone) {}

// remoteCall is getCall() in a tab that does not hold the call.
func (t *tabSession) remoteCall() any { return nil }

// relayCallEvent tells the other tabs about a call event of this tab.
func (t *tabSession) relayCallEvent(call *phone.Call, event string) {}
