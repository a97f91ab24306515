package farend

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/emiago/sipgo/sip"
)

// routeRequests installs the far end's request handlers.
func (p *Peer) routeRequests() {
	p.server.OnInvite(func(req *sip.Request, tx sip.ServerTransaction) {
		if to := req.To(); to != nil && to.Params.Has("tag") {
			p.handleInDialog(req, tx)
			return
		}
		p.handleNewInvite(req, tx)
	})
	for _, m := range []sip.RequestMethod{sip.ACK, sip.BYE, sip.CANCEL, sip.INFO, sip.UPDATE,
		sip.MESSAGE, sip.OPTIONS, sip.NOTIFY, sip.REFER, sip.PRACK, sip.SUBSCRIBE} {
		p.server.OnRequest(m, p.handleInDialog)
	}
	p.server.OnNoRoute(p.handleInDialog)
}

// handleInDialog answers requests other than a new INVITE: within a known
// dialog they are recorded on the Call; OPTIONS and MESSAGE outside one
// get 200; anything else unknown gets 481.
func (p *Peer) handleInDialog(req *sip.Request, tx sip.ServerTransaction) {
	respond := func(code int, reason string) {
		if tx != nil {
			_ = tx.Respond(sip.NewResponseFromRequest(req, code, reason, nil))
		}
	}
	c := p.call(req.CallID().Value())
	if c == nil {
		switch req.Method {
		case sip.ACK:
		case sip.OPTIONS, sip.MESSAGE:
			p.mu.Lock()
			p.requests = append(p.requests, req)
			p.mu.Unlock()
			respond(200, "OK")
		default:
			respond(481, "Call/Transaction Does Not Exist")
		}
		return
	}
	c.recordRequest(req)
	switch req.Method {
	case sip.ACK:
		if !c.outgoing && req.CSeq().SeqNo == c.ss.InviteRequest.CSeq().SeqNo {
			_ = c.ss.ReadAck(req, tx)
		}
	case sip.BYE:
		respond(200, "OK")
		c.end("remote BYE")
	case sip.INVITE, sip.UPDATE:
		c.answerReOffer(req, tx)
	case sip.INFO, sip.MESSAGE, sip.NOTIFY, sip.OPTIONS, sip.PRACK:
		respond(200, "OK")
	case sip.CANCEL: // a CANCEL that matched no pending INVITE
		respond(481, "Call/Transaction Does Not Exist")
	default:
		respond(501, "Not Implemented")
	}
}

// answerReOffer answers a re-INVITE or UPDATE. With SDP it is applied to
// pion and answered with the direction RFC 3264 requires (sendonly ->
// recvonly); without SDP the current session is offered back.
func (c *Call) answerReOffer(req *sip.Request, tx sip.ServerTransaction) {
	c.mu.Lock()
	m := c.media
	c.mu.Unlock()
	if m == nil || c.Ended() {
		_ = tx.Respond(sip.NewResponseFromRequest(req, 491, "Request Pending", nil))
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var sdp string
	var err error
	if offer := string(req.Body()); offer != "" {
		sdp, err = m.Answer(ctx, offer)
	} else {
		local, _ := m.Directions()
		sdp, err = m.ReOffer(local)
	}
	if err != nil {
		_ = tx.Respond(sip.NewResponseFromRequest(req, 488, "Not Acceptable Here", []byte(err.Error())))
		return
	}
	res := sip.NewSDPResponseFromRequest(req, []byte(sdp))
	res.AppendHeader(sip.HeaderClone(&c.peer.contact))
	_ = tx.Respond(res)
}

// remoteTarget is where in-dialog requests go: the other side's Contact.
func (c *Call) remoteTarget() (sip.Uri, error) {
	var ct *sip.ContactHeader
	if c.outgoing {
		ct = c.cs.InviteResponse.Contact()
	} else {
		ct = c.ss.InviteRequest.Contact()
	}
	if ct == nil {
		return sip.Uri{}, errors.New("farend: no remote Contact")
	}
	return *ct.Address.Clone(), nil
}

// SendRequest sends an in-dialog request (e.g. INFO, MESSAGE, UPDATE)
// with an optional body and returns the final response.
func (c *Call) SendRequest(ctx context.Context, method, contentType string, body []byte, headers map[string]string) (*sip.Response, error) {
	if !c.Established() || c.Ended() {
		return nil, errors.New("farend: call not established")
	}
	target, err := c.remoteTarget()
	if err != nil {
		return nil, err
	}
	req := sip.NewRequest(sip.RequestMethod(method), target)
	if len(body) > 0 {
		req.AppendHeader(sip.NewHeader("Content-Type", contentType))
		req.SetBody(body)
	}
	for k, v := range headers {
		req.AppendHeader(sip.NewHeader(k, v))
	}
	if c.outgoing {
		return c.cs.Do(ctx, req)
	}
	return c.ss.Do(ctx, req)
}

// SendInfo sends INFO, e.g. contentType "application/dtmf-relay" with body
// "Signal=5\r\nDuration=160\r\n".
func (c *Call) SendInfo(ctx context.Context, contentType, body string) (*sip.Response, error) {
	return c.SendRequest(ctx, "INFO", contentType, []byte(body), nil)
}

// Hold sends a re-INVITE offering a=sendonly (same ICE/DTLS, so media keeps
// flowing from the far end) and returns the final response; the other side
// should answer a=recvonly.
func (c *Call) Hold(ctx context.Context) (*sip.Response, error) { return c.reinvite(ctx, SendOnly) }

// Unhold sends a re-INVITE offering a=sendrecv again.
func (c *Call) Unhold(ctx context.Context) (*sip.Response, error) { return c.reinvite(ctx, SendRecv) }

func (c *Call) reinvite(ctx context.Context, dir string) (*sip.Response, error) {
	c.mu.Lock()
	m := c.media
	c.mu.Unlock()
	if m == nil {
		return nil, errors.New("farend: call has no media")
	}
	prevLocal, _ := m.Directions()
	offer, err := m.ReOffer(dir)
	if err != nil {
		return nil, err
	}
	res, err := c.SendRequest(ctx, "INVITE", "application/sdp", []byte(offer), nil)
	if err != nil || !res.IsSuccess() {
		m.RestoreLocal(prevLocal)
		return res, err
	}
	m.ReAnswered(string(res.Body()))
	target, _ := c.remoteTarget()
	ack := sip.NewRequest(sip.ACK, target)
	if c.outgoing {
		err = c.cs.WriteRequest(ack)
	} else {
		err = c.ss.WriteRequest(ack)
	}
	if err != nil {
		return res, fmt.Errorf("farend: ACK re-INVITE: %w", err)
	}
	return res, nil
}

// Hangup ends the call: BYE when established, CANCEL for our pending
// INVITE, 603 Decline for an incoming call not answered yet.
func (c *Call) Hangup(ctx context.Context) error {
	if c.Ended() {
		return nil
	}
	if !c.Established() {
		if !c.outgoing {
			return c.Reject(603)
		}
		if !c.answered() {
			return c.Cancel(ctx)
		}
		// The 2xx is in but runOutgoing is still ACKing it (a phone that
		// reports "connected" on its own ICE can be that quick): wait for
		// the dialog, then BYE as for any established call.
		if err := c.wait(ctx, "the ACK of the answer", func() bool { return c.established || c.ended }); err != nil {
			return err
		}
		if c.Ended() {
			return nil
		}
	}
	var err error
	if c.outgoing {
		err = c.cs.Bye(ctx)
		c.stopInvite()
	} else {
		err = c.ss.Bye(ctx)
	}
	c.end("local BYE")
	return err
}
