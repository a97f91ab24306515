//go:build js && wasm

package jsbridge

import (
	"strings"
	"sync"
	"syscall/js"

	sdkclient "github.com/webphone/exotelsdk/sdk/client"
	"github.com/webphone/exotelsdk/sdk/tabs"
)

// proxyCall is the Call object getCall() returns in a follower tab: the
// leader tab's call, with the properties and methods of the Call of
// call.go. Its methods are forwarded to the leader, which applies them to
// its call; the properties follow what the leader relays.
//
// Return values: Answer, Hangup and sendDTMF return true when the command
// went to the leader (its refusal is logged, its effect shows as
// SessionCallback events); Hold, UnHold and HoldToggle return a Promise of
// the leader's outcome. getStatistics resolves null and getRemoteStream is
// null: the media is in the leader tab.
type proxyCall struct {
	t           *tabSession
	*callObject // call_object.go: the prototype and lifetime local calls have

	snapMu sync.Mutex
	snap   tabs.CallSnapshot
}

func newProxyCall(t *tabSession, snap tabs.CallSnapshot) *proxyCall {
	pc := &proxyCall{t: t, snap: snap}
	pc.callObject = newCallObject(pc)
	method := pc.method
	method("Answer", false, func([]js.Value) any { return pc.send(tabs.CmdAnswer, "") })
	method("Hangup", false, func([]js.Value) any { return pc.send(tabs.CmdHangup, "") })
	method("Mute", nil, func([]js.Value) any { pc.send(tabs.CmdMute, ""); return nil })
	method("UnMute", nil, func([]js.Value) any { pc.send(tabs.CmdUnmute, ""); return nil })
	method("MuteToggle", nil, func([]js.Value) any {
		pc.send(map[bool]string{true: tabs.CmdUnmute, false: tabs.CmdMute}[pc.current().Muted], "")
		return nil
	})
	method("Hold", resolvedPromise{false}, func([]js.Value) any { return pc.hold(true) })
	method("UnHold", resolvedPromise{false}, func([]js.Value) any { return pc.hold(false) })
	method("HoldToggle", resolvedPromise{false}, func([]js.Value) any { return pc.hold(!pc.current().Held) })
	method("sendDTMF", false, func(args []js.Value) any {
		digit := strings.ToUpper(str(arg(args, 0)))
		if len(digit) != 1 || !strings.Contains("0123456789*#ABCD", digit) {
			logger.Warnf("sendDTMF(%q) ignored: not one of 0-9 * # A-D", digit)
			return false
		}
		if !pc.send(tabs.CmdDTMF, digit) {
			return false
		}
		t.c.tones.DTMF(rune(digit[0])) // the key's sound where it was pressed
		return true
	})
	method("callDetails", nil, func([]js.Value) any { return pc.details() })
	method("getStatistics", resolvedPromise{nil}, func([]js.Value) any { return resolved(nil) })
	method("getRemoteStream", nil, func([]js.Value) any { return js.Null() })
	addProxyTransferMethods(pc, method)
	pc.update(snap)
	return pc
}

func (pc *proxyCall) current() tabs.CallSnapshot {
	pc.snapMu.Lock()
	defer pc.snapMu.Unlock()
	return pc.snap
}

// send forwards a command and reports whether it went to the leader; the
// leader's answer comes later and a refusal is logged by the session.
func (pc *proxyCall) send(name, digit string) bool {
	s := pc.t.session()
	if s == nil {
		return false
	}
	err := s.Forward(tabs.Command{Name: name, Digit: digit, CallID: pc.current().CallID}, func(error) {})
	if err != nil {
		logger.Warnf("%s ignored: %v", name, err)
		return false
	}
	return true
}

// hold is Hold/UnHold: a Promise of whether the leader's re-INVITE took effect.
func (pc *proxyCall) hold(on bool) js.Value {
	name := map[bool]string{true: tabs.CmdHold, false: tabs.CmdUnhold}[on]
	return pc.t.await(tabs.Command{Name: name, CallID: pc.current().CallID})
}

// await forwards a command to the leader: a Promise of whether it took effect.
func (t *tabSession) await(cmd tabs.Command) js.Value {
	return promise(cmd.Name, false, func() any {
		s := t.session()
		if s == nil {
			return false
		}
		done := make(chan error, 1)
		if err := s.Forward(cmd, func(err error) { done <- err }); err != nil {
			logger.Warnf("%s ignored: %v", cmd.Name, err)
			return false
		}
		if err := <-done; err != nil {
			logger.Warnf("%s in the leader tab: %v", cmd.Name, err)
			return false
		}
		return true
	})
}

// update copies a newer snapshot into the object's properties.
func (pc *proxyCall) update(snap tabs.CallSnapshot) {
	pc.snapMu.Lock()
	pc.snap = snap
	pc.snapMu.Unlock()
	if obj := pc.object(); !obj.IsUndefined() {
		setCallProperties(obj, sdkclient.DetailsOf(snap, proxyClock()))
	}
}

// details is callDetails() from what the leader told; the INVITE's headers
// stay in the leader tab.
func (pc *proxyCall) details() js.Value {
	return detailsObject(sdkclient.DetailsOf(pc.current(), proxyClock()))
}
