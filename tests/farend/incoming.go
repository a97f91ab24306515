package farend

import (
	"context"
	"errors"
	"fmt"

	"github.com/emiago/sipgo/sip"
)

// handleNewInvite serves an out-of-dialog INVITE: 100 Trying, then the
// Call is handed to WaitIncoming. sipgo ends the server transaction when
// the handler returns, so it blocks until a final response went out or
// the caller cancelled.
func (p *Peer) handleNewInvite(req *sip.Request, tx sip.ServerTransaction) {
	ss, err := p.dua.ReadInvite(req, tx)
	if err != nil {
		_ = tx.Respond(sip.NewResponseFromRequest(req, 400, "Bad Request", nil))
		return
	}
	_ = tx.Respond(sip.NewResponseFromRequest(req, 100, "Trying", nil))
	c := newCall(p, false, req.CallID().Value())
	c.ss, c.invite = ss, req
	tx.OnCancel(func(r *sip.Request) { c.recordRequest(r) })
	p.addCall(c)
	select {
	case p.incoming <- c:
	default:
		_ = ss.Respond(486, "Busy Here (farend queue full)", nil)
		return
	}
	select {
	case <-c.finalSent:
	case <-ss.Context().Done(): // CANCEL, or the transaction died
		c.mu.Lock()
		if c.final == nil {
			c.final = sip.NewResponseFromRequest(ss.InviteRequest, 487, "Request Terminated", nil)
		}
		c.mu.Unlock()
		c.end("remote CANCEL")
	case <-p.ctx.Done():
	}
}

// Ring sends 180 Ringing.
func (c *Call) Ring() error { return c.provisional(180, "Ringing") }

// provisional sends a 1xx response to the incoming INVITE.
func (c *Call) provisional(code int, reason string) error {
	if c.outgoing {
		return errors.New("farend: not an incoming call")
	}
	if c.Ended() {
		return fmt.Errorf("farend: call already ended (%s)", c.EndReason())
	}
	return c.ss.Respond(code, reason, nil)
}

// Answer answers the incoming INVITE's SDP offer with a pion answer in a
// 200 OK and returns once the ACK arrived.
func (c *Call) Answer(ctx context.Context) error { return c.AnswerEdited(ctx, nil) }

// AnswerEdited is Answer with the SDP answer rewritten by edit first (tests
// of answers the phone cannot use); nil edits nothing.
func (c *Call) AnswerEdited(ctx context.Context, edit func(sdp string) string) error {
	if c.outgoing {
		return errors.New("farend: not an incoming call")
	}
	if c.Ended() {
		return fmt.Errorf("farend: call already ended (%s)", c.EndReason())
	}
	answer, err := c.sdpAnswer(ctx)
	if err != nil {
		return err
	}
	if edit != nil {
		answer = edit(answer)
	}
	res := sip.NewSDPResponseFromRequest(c.ss.InviteRequest, []byte(answer))
	c.mu.Lock()
	c.final, c.established = res, true
	c.notifyLocked()
	c.mu.Unlock()
	err = c.ss.WriteResponse(res) // retransmits the 200 until the ACK arrives
	c.closeFinal()
	if err != nil {
		c.fail(fmt.Errorf("200 OK not acknowledged: %w", err))
		return err
	}
	return nil
}

// EarlyMedia answers the offer in a 183 Session Progress with SDP, so media
// (the far end's tone, if PlayTone is on) flows before the call is answered.
// A later Answer sends the same SDP in its 200.
func (c *Call) EarlyMedia(ctx context.Context) error {
	if c.outgoing {
		return errors.New("farend: not an incoming call")
	}
	answer, err := c.sdpAnswer(ctx)
	if err != nil {
		return err
	}
	return c.ss.Respond(183, "Session Progress", []byte(answer), sip.NewHeader("Content-Type", "application/sdp"))
}

// sdpAnswer answers the INVITE's offer once, with pion; later calls return
// the same answer.
func (c *Call) sdpAnswer(ctx context.Context) (string, error) {
	c.mu.Lock()
	if c.localAnswer != "" {
		a := c.localAnswer
		c.mu.Unlock()
		return a, nil
	}
	c.mu.Unlock()
	offer := string(c.invite.Body())
	if offer == "" {
		return "", errors.New("farend: INVITE without SDP offer is not supported")
	}
	media, err := newMediaSession(c.peer.cfg.Video)
	if err != nil {
		return "", err
	}
	answer, err := media.Answer(ctx, offer)
	if err != nil {
		media.Close()
		_ = c.Reject(488)
		return "", err
	}
	c.mu.Lock()
	c.media, c.localAnswer = media, answer
	c.mu.Unlock()
	return answer, nil
}

// Reject answers the incoming INVITE with a final error code (e.g. 486,
// 603) and waits for its ACK.
func (c *Call) Reject(code int) error {
	if c.outgoing {
		return errors.New("farend: not an incoming call")
	}
	if code < 300 || code > 699 {
		return fmt.Errorf("farend: %d is not a rejection", code)
	}
	if c.Ended() {
		return fmt.Errorf("farend: call already ended (%s)", c.EndReason())
	}
	res := sip.NewResponseFromRequest(c.ss.InviteRequest, code, reasonPhrase(code), nil)
	c.mu.Lock()
	c.final = res
	c.mu.Unlock()
	err := c.ss.WriteResponse(res)
	c.closeFinal()
	c.end(fmt.Sprintf("rejected %d", code))
	return err
}

func reasonPhrase(code int) string {
	switch code {
	case 404:
		return "Not Found"
	case 480:
		return "Temporarily Unavailable"
	case 486:
		return "Busy Here"
	case 487:
		return "Request Terminated"
	case 488:
		return "Not Acceptable Here"
	case 500:
		return "Server Internal Error"
	case 503:
		return "Service Unavailable"
	case 600:
		return "Busy Everywhere"
	case 603:
		return "Decline"
	}
	return "Rejected"
}
