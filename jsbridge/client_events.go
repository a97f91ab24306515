//go:build js && wasm

package jsbridge

import (
	"syscall/js"

	"github.com/webphone/exotelsdk/sdk/phone"
)

// RegisterFailed implements phone.RegisterFailureListener:
// RegisterEventCallBack('terminated', phone, {reason, sipStatus, message}).
// The loader's register() rejects with reason as the Error's code.
func (c *client) RegisterFailed(f phone.RegisterFailure) {
	cb, user, tabs := c.registrationSinks()
	why := map[string]any{"reason": f.Reason, "sipStatus": nil, "message": f.Message}
	if f.SipStatus != 0 {
		why["sipStatus"] = f.SipStatus
	}
	invokeLater(cb, "terminated", user, why)
	if tabs != nil {
		tabs.relayRegisterEvent("terminated")
	}
}

// ConnectionEvent implements phone.ConnectionListener: the loader hands it to
// the client's on('connection') handlers as {state, url, attempt}.
func (c *client) ConnectionEvent(ev phone.ConnectionEvent) {
	rt.Call("clientEvent", c.obj, "connection", object(map[string]any{
		"state": ev.State, "url": ev.URL, "attempt": ev.Attempt,
	}))
}

// registrationSinks are RegisterEventCallBack, the phone name it is told and
// the tab session that relays registration events.
func (c *client) registrationSinks() (js.Value, string, *tabSession) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.regCb, c.userName, c.tabs
}
