package phone

import (
	"fmt"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/webphone/exotelsdk/sdk/sipua"
)

// onIncomingInvite starts an incoming call: 100 Trying, 180 Ringing, then the
// app hears "incoming". The call waits for Answer or Hangup.
func (p *Phone) onIncomingInvite(req *sip.Request, tx *sip.ServerTx) {
	reject := func(code int, reason string) {
		if err := tx.Respond(sipua.Respond(&p.id, req, code, reason, sipua.NewTag(), nil, "")); err != nil {
			p.log.Warnf("could not reject INVITE with %d: %v", code, err)
		}
	}
	if !isSDP(req) || !hasAudio(string(req.Body())) {
		p.log.Warnf("incoming INVITE %s has no usable audio offer; 488", req.CallID().Value())
		reject(488, "Not Acceptable Here")
		return
	}
	if p.deps.Media == nil {
		reject(488, "Not Acceptable Here")
		return
	}
	if p.calls.busy() {
		p.log.Infof("incoming INVITE %s while a call is up; 486", req.CallID().Value())
		reject(486, "Busy Here")
		return
	}
	_ = tx.Respond(sip.NewResponseFromRequest(req, 100, "Trying", nil))
	tag := sipua.NewTag()
	dialog, err := sipua.NewUASDialog(p.ua, &p.id, &p.acct, req, tag)
	if err != nil {
		p.log.Warnf("bad INVITE: %v", err)
		reject(400, "Bad Request")
		return
	}
	from := req.From()
	c := &Call{p: p, log: p.log.With("call"), dialog: dialog, invite: req, inviteTx: tx}
	c.d = Details{
		CallID: req.CallID().Value(), CallDirection: "incoming",
		RemoteDisplayName: from.DisplayName, RemoteID: from.Address.User,
		CallStartedTime: time.Now(), SipHeaders: sipHeaders(req),
	}
	if h := req.GetHeader("X-Exotel-Callsid"); h != nil {
		c.d.CallSid = h.Value()
	}
	if c.d.RemoteDisplayName == "" {
		c.d.RemoteDisplayName = c.d.RemoteID
	}
	req.To().Params.Add("tag", tag) // sipgo builds its 487 from the INVITE: same To tag as the 180
	p.calls.add(c)
	tx.OnCancel(func(*sip.Request) {
		// The transaction has answered 487; the caller gave up.
		spawnSafe(p, "CANCEL", func() { c.end(StateTerminated, "canceled by the caller") })
	})
	if err := tx.Respond(dialog.Respond(req, 180, "Ringing", nil, "")); err != nil {
		p.log.Warnf("could not send 180 Ringing: %v", err)
	}
	p.startTone("ringtone")
	c.setState(StateIncoming)
}

// Answer accepts an incoming call: microphone, SDP answer in a 200 OK, and
// "connected" once the ACK arrives. It returns at once; the work runs behind.
func (c *Call) Answer() error {
	c.mu.Lock()
	if c.d.CallDirection != "incoming" || c.d.CallState != StateIncoming || c.answering || c.ended {
		state := c.d.CallState
		c.mu.Unlock()
		return fmt.Errorf("cannot answer a call that is %s", state)
	}
	c.answering = true
	c.mu.Unlock()
	c.p.stopTones()
	spawnSafe(c.p, "Answer", c.answer)
	return nil
}

func (c *Call) answer() {
	sess, err := c.newSession()
	if err != nil {
		c.rejectWith(500, "Server Internal Error", "media unavailable: "+err.Error())
		return
	}
	ctx, cancel := mediaContext()
	defer cancel()
	answer, err := sess.Answer(ctx, string(c.invite.Body()))
	if err != nil {
		c.log.Errorf("could not answer the offer: %v", err)
		c.rejectWith(488, "Not Acceptable Here", "media: "+err.Error())
		return
	}
	c.mu.Lock()
	if c.ended {
		c.mu.Unlock()
		return
	}
	tx := c.inviteTx
	c.inviteTx = nil
	c.ackWait = make(chan struct{})
	ackWait := c.ackWait
	c.mu.Unlock()
	ok := c.dialog.Respond(c.invite, 200, "OK", []byte(answer), "application/sdp")
	if err := tx.Respond(ok); err != nil {
		c.log.Errorf("could not send 200 OK: %v", err)
		c.end(StateTerminated, "could not send 200 OK")
		return
	}
	c.retransmitUntilAck(ok, ackWait)
}

// retransmitUntilAck resends our 2xx until the ACK arrives (RFC 3261
// §13.3.1.4); without an ACK in 64*T1 the call is ended with a BYE.
func (c *Call) retransmitUntilAck(ok *sip.Response, ackWait chan struct{}) {
	interval := sip.T1
	deadline := time.After(64 * sip.T1)
	for {
		select {
		case <-ackWait:
			return
		case <-deadline:
			c.log.Warnf("no ACK for our 200 OK; hanging up")
			c.sendBye()
			c.end(StateTerminated, "no ACK from the far end")
			return
		case <-time.After(interval):
			if c.Ended() {
				return
			}
			_ = c.p.ua.Send(ok)
			if interval *= 2; interval > sip.T2 {
				interval = sip.T2
			}
		}
	}
}

// onAck handles the ACK for our 2xx: the call is connected.
func (c *Call) onAck(req *sip.Request) {
	c.mu.Lock()
	wait := c.ackWait
	c.ackWait = nil
	pendingOffer := c.pendingAckOffer
	c.pendingAckOffer = false
	c.mu.Unlock()
	if wait == nil {
		return // a retransmitted ACK
	}
	close(wait)
	if pendingOffer && len(req.Body()) > 0 {
		spawnSafe(c.p, "ACK answer", func() {
			ctx, cancel := mediaContext()
			defer cancel()
			if err := c.sess.Accept(ctx, string(req.Body()), false); err != nil {
				c.log.Warnf("the answer in the ACK was not usable: %v", err)
			}
		})
	}
	c.setState(StateConnected)
}

// rejectWith ends an unanswered incoming call with a final error response.
func (c *Call) rejectWith(code int, reason, why string) {
	c.mu.Lock()
	tx := c.inviteTx
	c.inviteTx = nil
	c.mu.Unlock()
	if tx != nil {
		if err := tx.Respond(c.dialog.Respond(c.invite, code, reason, nil, "")); err != nil {
			c.log.Warnf("could not send %d: %v", code, err)
		}
	}
	c.end(StateCallEnded, why)
}
