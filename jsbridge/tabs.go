//go:build js && wasm

package jsbridge

import "syscall/js"

// sessionListener is SessionListener(): multi-tab coordination. Not yet.
func (c *client) sessionListener(args []js.Value) any { return notImplemented("SessionListener") }
