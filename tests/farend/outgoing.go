package farend

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// CallOptions shape an outgoing INVITE.
type CallOptions struct {
	Headers     map[string]string // extra headers, e.g. X-Exotel-Callsid
	DisplayName string            // From display name; default Config.DisplayName
	// EditOffer, if set, rewrites the SDP offer before it is sent (tests of
	// offers the phone cannot use).
	EditOffer func(sdp string) string
}

// Call places a call to "user", "user@domain" or a SIP URI and returns once
// a final response arrived (any code: check Status). A 407 is answered
// with digest credentials; a 2xx is ACKed and media starts.
func (p *Peer) Call(ctx context.Context, to string, opt CallOptions) (*Call, error) {
	c, err := p.Dial(ctx, to, opt)
	if err != nil {
		return nil, err
	}
	if _, err := c.WaitFinal(ctx); err != nil {
		return c, err
	}
	return c, nil
}

// Dial sends an INVITE with a PCMU SDP offer and returns without waiting
// for the answer: use WaitStatus/WaitFinal, Cancel, Hangup.
func (p *Peer) Dial(ctx context.Context, to string, opt CallOptions) (*Call, error) {
	target, err := p.targetURI(to)
	if err != nil {
		return nil, fmt.Errorf("farend: bad target %q: %w", to, err)
	}
	media, err := newMediaSession(p.cfg.Video)
	if err != nil {
		return nil, err
	}
	offer, err := media.Offer(ctx)
	if err != nil {
		media.Close()
		return nil, err
	}
	req := sip.NewRequest(sip.INVITE, target)
	req.SetDestination(p.cfg.Server)
	name := opt.DisplayName
	if name == "" {
		name = p.cfg.DisplayName
	}
	from := &sip.FromHeader{DisplayName: name, Address: sip.Uri{Scheme: "sip", User: p.cfg.User, Host: p.cfg.Domain}}
	from.Params.Add("tag", sip.GenerateTagN(10))
	req.AppendHeader(from)
	req.AppendHeader(&sip.ToHeader{Address: sip.Uri{Scheme: target.Scheme, User: target.User, Host: target.Host}})
	req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	for k, v := range opt.Headers {
		req.AppendHeader(sip.NewHeader(k, v))
	}
	if opt.EditOffer != nil {
		offer = opt.EditOffer(offer)
	}
	req.SetBody([]byte(offer))

	// The INVITE lives until the call ends, not as long as ctx.
	inviteCtx, stop := context.WithCancel(p.ctx)
	sess, err := p.dua.WriteInvite(inviteCtx, req)
	if err != nil {
		stop()
		media.Close()
		return nil, fmt.Errorf("farend: INVITE: %w", err)
	}
	c := newCall(p, true, req.CallID().Value())
	c.cs, c.media, c.invite, c.stopInvite = sess, media, req, stop
	p.addCall(c)
	go c.runOutgoing(inviteCtx)
	return c, nil
}

// runOutgoing waits for the INVITE's outcome and records it.
func (c *Call) runOutgoing(ctx context.Context) {
	p := c.peer
	err := c.cs.WaitAnswer(ctx, sipgo.AnswerOptions{
		Username: p.cfg.User, Password: p.cfg.Password,
		OnResponse: func(r *sip.Response) error {
			c.mu.Lock()
			c.responses = append(c.responses, r)
			c.invite = c.cs.InviteRequest
			c.notifyLocked()
			c.mu.Unlock()
			return nil
		},
	})
	var dr *sipgo.ErrDialogResponse
	switch {
	case err == nil:
		res := c.cs.InviteResponse
		mediaErr := c.media.AcceptAnswer(string(res.Body()))
		ackErr := c.cs.Ack(context.Background())
		c.mu.Lock()
		c.final, c.established = res, true
		c.notifyLocked()
		c.mu.Unlock()
		if err := errors.Join(mediaErr, ackErr); err != nil {
			c.fail(err)
		}
	case errors.As(err, &dr):
		c.finish(dr.Res, fmt.Sprintf("rejected %d", dr.Res.StatusCode))
	case ctx.Err() != nil:
		// Cancel: WaitAnswer sent CANCEL and waited for the 487.
		res := c.cs.InviteResponse
		if res != nil && res.IsProvisional() {
			res = nil
		}
		c.finish(res, "local CANCEL")
	default:
		c.fail(err)
	}
}

// finish records a final non-2xx response and ends the call.
func (c *Call) finish(res *sip.Response, reason string) {
	c.mu.Lock()
	if res != nil && c.final == nil {
		c.final = res
	}
	if c.final == nil && c.err == nil {
		c.err = errors.New(reason)
	}
	c.notifyLocked()
	c.mu.Unlock()
	c.end(reason)
}

func (c *Call) fail(err error) {
	c.mu.Lock()
	if c.err == nil {
		c.err = err
	}
	c.mu.Unlock()
	c.end("failed: " + err.Error())
}

// Cancel sends CANCEL for our pending INVITE and waits for the INVITE's
// final response (normally 487). It fails if the call was already
// answered.
func (c *Call) Cancel(ctx context.Context) error {
	if !c.outgoing {
		return errors.New("farend: Cancel is for outgoing calls; use Reject")
	}
	if c.Established() {
		return errors.New("farend: call already answered")
	}
	// WaitAnswer only sends CANCEL after a provisional response (RFC 3261 9.1).
	if err := c.wait(ctx, "provisional response", func() bool { return len(c.responses) > 0 || c.final != nil || c.ended }); err != nil {
		return err
	}
	c.stopInvite()
	wctx, cancel := context.WithTimeout(ctx, 40*time.Second)
	defer cancel()
	_, err := c.WaitEnded(wctx)
	return err
}
