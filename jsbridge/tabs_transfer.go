//go:build js && wasm

package jsbridge

import (
	"errors"
	"syscall/js"

	"github.com/webphone/exotelsdk/sdk/phone"
	"github.com/webphone/exotelsdk/sdk/tabs"
)

// Transfer and AttendedTransfer across tabs: a follower's proxy forwards
// them to the leader, which runs them on its calls; the Promise is the
// leader's outcome (a transfer waits for the far end's NOTIFY).

// addProxyTransferMethods gives a follower's proxy Call Transfer(target)
// and AttendedTransfer(otherCall), with the bad-input rules of call_transfer.go.
func addProxyTransferMethods(pc *proxyCall, method func(string, any, func([]js.Value) any)) {
	method("Transfer", resolvedPromise{false}, func(args []js.Value) any {
		target, ok := text(arg(args, 0))
		if !ok || target == "" {
			logger.Warnf("Transfer ignored: the target must be a non-empty string")
			return resolved(false)
		}
		return pc.t.await(tabs.Command{Name: tabs.CmdTransfer, CallID: pc.current().CallID, Target: target})
	})
	method("AttendedTransfer", resolvedPromise{false}, func(args []js.Value) any {
		other := pc.t.proxyCallOf(arg(args, 0))
		switch {
		case other == nil:
			logger.Warnf("AttendedTransfer ignored: the argument is not a call of this client that is still up")
			return resolved(false)
		case other == pc:
			logger.Warnf("AttendedTransfer ignored: a call cannot be transferred to itself")
			return resolved(false)
		}
		return pc.t.await(tabs.Command{Name: tabs.CmdAttendedTransfer, CallID: pc.current().CallID, Other: other.current().CallID})
	})
}

// proxyCallOf is the proxy whose JS object v is, or nil.
func (t *tabSession) proxyCallOf(v js.Value) *proxyCall {
	pc, _ := callObjectOf(v).owner.(*proxyCall)
	if pc == nil {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.proxies[pc.current().CallID] != pc {
		return nil // ended: the leader no longer has it
	}
	return pc
}

// executeAttendedTransfer is the leader's side of CmdAttendedTransfer.
func (h *tabHost) executeAttendedTransfer(call *phone.Call, otherID string) error {
	for _, c := range h.t.c.knownCalls() {
		if c.ID() == otherID && !c.Ended() && c != call {
			return call.AttendedTransfer(c)
		}
	}
	return errors.New("the other call is not up in the leader tab")
}
