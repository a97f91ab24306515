//go:build js && wasm

package jsbridge

import (
	"syscall/js"

	"github.com/webphone/exotelsdk/sdk/phone"
)

// addTransferMethods gives a Call object Transfer(target) and
// AttendedTransfer(otherCall) (ext, Transfer and conference): each returns a
// Promise of whether the far end was handed on; bad input resolves false at
// once with a logged reason and sends nothing. Progress comes as the call
// events transferring, transferred and transferFailed.
func addTransferMethods(jc *jsCall) {
	jc.method("Transfer", resolvedPromise{false}, func(args []js.Value) any {
		target, ok := text(arg(args, 0))
		if !ok || target == "" {
			logger.Warnf("Transfer ignored: the target must be a non-empty string")
			return resolved(false)
		}
		return jc.transfer("Transfer", func() error { return jc.c.Transfer(target) })
	})
	jc.method("AttendedTransfer", resolvedPromise{false}, func(args []js.Value) any {
		other := jc.cl.liveCallOf(arg(args, 0))
		switch {
		case other == nil:
			logger.Warnf("AttendedTransfer ignored: the argument is not a call of this client that is still up")
			return resolved(false)
		case other == jc.c:
			logger.Warnf("AttendedTransfer ignored: a call cannot be transferred to itself")
			return resolved(false)
		}
		return jc.transfer("AttendedTransfer", func() error { return jc.c.AttendedTransfer(other) })
	})
}

// transfer runs a transfer in the background: a Promise of its success.
func (jc *jsCall) transfer(name string, run func() error) js.Value {
	return promise(name, false, func() any {
		err := run()
		jc.refresh()
		return jc.ok(name, err)
	})
}

// liveCallOf is the call of this client whose JS object v is, or nil (an
// object of another client, of an ended call, or no call object at all).
func (c *client) liveCallOf(v js.Value) *phone.Call {
	jc := callOf(v)
	if jc == nil || jc.cl != c || jc.c.Ended() {
		return nil
	}
	return jc.c
}
