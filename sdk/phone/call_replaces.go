package phone

import (
	"strings"

	"github.com/emiago/sipgo/sip"
	"github.com/webphone/exotelsdk/sdk/sipua"
)

// onReplacingInvite handles an INVITE with Replaces (RFC 3891 §3): one that
// names a confirmed dialog of ours takes that call's place at once (no
// ringing, no "incoming": the app hears "connected" on the new call, and the
// old one ends 'replaced'). One naming no dialog of ours, or an early dialog
// we did not start (a call still ringing here), gets 481; early-only on a
// confirmed dialog gets 486.
func (p *Phone) onReplacingInvite(req *sip.Request, tx *sip.ServerTx, value string) {
	reject := func(code int, reason string) {
		if err := tx.Respond(sipua.Respond(&p.id, req, code, reason, sipua.NewTag(), nil, "")); err != nil {
			p.log.Warnf("could not answer the INVITE with Replaces: %v", err)
		}
	}
	callID, toTag, fromTag, earlyOnly, ok := parseReplaces(value)
	if !ok {
		p.log.Warnf("INVITE %s: malformed Replaces %q; 400", req.CallID().Value(), value)
		reject(400, "Bad Replaces")
		return
	}
	old := p.calls.byDialog(callID, toTag, fromTag)
	switch {
	case old == nil || old.State() != StateConnected:
		p.log.Infof("INVITE %s replaces no confirmed call of ours (%s); 481", req.CallID().Value(), value)
		reject(481, "Call/Transaction Does Not Exist")
		return
	case earlyOnly:
		reject(486, "Busy Here")
		return
	}
	c, err := p.newIncomingCall(req, tx)
	if err != nil {
		p.log.Warnf("bad INVITE with Replaces: %v", err)
		reject(400, "Bad Request")
		return
	}
	c.answering = true
	if by := headerValue(req, "Referred-By"); by != "" {
		c.d.ReferredBy = bareURI(by)
	}
	if !p.calls.admit(c, p.limits.maxCalls+1) { // it takes old's place
		reject(486, "Busy Here")
		return
	}
	_ = tx.Respond(sip.NewResponseFromRequest(req, 100, "Trying", nil))
	p.log.Infof("call %s replaces call %s", c.d.CallID, old.d.CallID)
	c.ops.do(func() {
		c.answer(nil) // the call it replaces is not held: it ends once this one is up
		if c.State() == StateConnected && !old.Ended() {
			old.sendBye()
			old.end(StateTerminated, CauseReplaced, 0, "replaced by call "+c.d.CallID)
		}
	})
}

// parseReplaces reads a Replaces value: "call-id;to-tag=…;from-tag=…[;early-only]".
func parseReplaces(v string) (callID, toTag, fromTag string, earlyOnly, ok bool) {
	parts := strings.Split(strings.TrimSpace(v), ";")
	callID = strings.TrimSpace(parts[0])
	for _, p := range parts[1:] {
		name, val, _ := strings.Cut(strings.TrimSpace(p), "=")
		switch strings.ToLower(name) {
		case "to-tag":
			toTag = val
		case "from-tag":
			fromTag = val
		case "early-only":
			earlyOnly = true
		}
	}
	return callID, toTag, fromTag, earlyOnly, callID != "" && toTag != "" && fromTag != ""
}

// byDialog is the call whose dialog has this Call-ID, our tag toTag and the
// far end's tag fromTag (as a Replaces header names it), or nil.
func (s *callSet) byDialog(callID, toTag, fromTag string) *Call {
	for _, c := range s.all() {
		c.mu.Lock()
		d := c.dialog
		c.mu.Unlock()
		if c.d.CallID == callID && c.localTag == toTag && d != nil && d.RemoteTag == fromTag {
			return c
		}
	}
	return nil
}
