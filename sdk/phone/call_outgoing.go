package phone

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/webphone/exotelsdk/sdk/media"
	"github.com/webphone/exotelsdk/sdk/sipua"
)

// CallOptions are MakeCall's options.
type CallOptions struct {
	Headers map[string]string // extra headers on the INVITE, e.g. X-… for the PBX

	referral *referral // set when a REFER made this call (call_referred.go)
	Video    bool      // a video call: the offer has m=video with our camera (sendrecv)
}

// MakeCall starts an outgoing call to destination (a user at the account's
// domain, or a full sip: URI). The call is returned at once; "ringing",
// "connected" or "callEnded" follow.
func (p *Phone) MakeCall(destination string, opts CallOptions) (*Call, error) {
	target, err := p.targetURI(destination)
	if err != nil {
		return nil, err
	}
	return p.startCall(target, opts)
}

// startCall is MakeCall to a request URI.
func (p *Phone) startCall(target sip.Uri, opts CallOptions) (*Call, error) {
	if p.deps.Media == nil {
		return nil, errors.New("no media available")
	}
	p.mu.Lock()
	up := p.conn == connUp
	p.mu.Unlock()
	if !up {
		return nil, errors.New("not connected: call DoRegister first")
	}
	req := sip.NewRequest(sip.INVITE, target)
	req.AppendHeader(p.id.Via(p.acct.Secure))
	mf := sip.MaxForwardsHeader(70)
	req.AppendHeader(&mf)
	from := &sip.FromHeader{DisplayName: p.acct.DisplayName, Address: p.acct.AOR, Params: sip.NewParams()}
	localTag := sipua.NewTag()
	from.Params.Add("tag", localTag)
	req.AppendHeader(from)
	req.AppendHeader(&sip.ToHeader{Address: target, Params: sip.NewParams()})
	callID := sip.CallIDHeader(sipua.NewCallID())
	req.AppendHeader(&callID)
	req.AppendHeader(&sip.CSeqHeader{SeqNo: 1, MethodName: sip.INVITE})
	req.AppendHeader(p.id.Contact(-1, false))
	req.AppendHeader(sip.NewHeader("Allow", sipua.Allowed))
	req.AppendHeader(sip.NewHeader("Supported", "outbound, replaces"))
	p.offerSessionTimer(req, p.limits.sessionExpires)
	if p.acct.UserAgent != "" {
		req.AppendHeader(sip.NewHeader("User-Agent", p.acct.UserAgent))
	}
	for name, value := range opts.Headers {
		if strings.ContainsAny(name+value, "\r\n") || name == "" {
			return nil, fmt.Errorf("invalid header %q", name)
		}
		if sdkOwnedHeader(name) {
			return nil, fmt.Errorf("header %q is the SDK's own and cannot be set by the app", name)
		}
		req.AppendHeader(sip.NewHeader(name, value))
	}
	c := &Call{p: p, log: p.log.With("call"), invite: req, localTag: localTag, state: StateCalling}
	c.ops.p = p
	if opts.Video {
		c.video = media.SendRecv
	}
	c.d = Details{
		CallID: callID.Value(), CallDirection: "outgoing",
		RemoteID: target.User, RemoteDisplayName: target.User,
		CallStartedTime: time.Now(), SipHeaders: map[string]string{},
	}
	max := p.limits.maxCalls
	if opts.referral != nil { // it takes over the call that was transferred
		c.xfer.referral = opts.referral
		c.d.ReferredBy = bareURI(opts.referral.referredBy)
		max++
	}
	if !p.calls.admit(c, max) {
		if p.limits.maxCalls == 1 {
			return nil, errors.New("a call is already in progress")
		}
		return nil, fmt.Errorf("already %d calls (maxCalls)", p.limits.maxCalls)
	}
	spawnSafe(p, "MakeCall", func() {
		p.holdOthers(c) // the calls we were on hear nothing while we dial
		c.ops.do(c.dial)
	})
	return c, nil
}

// targetURI turns what the app dialled into a request URI.
func (p *Phone) targetURI(destination string) (sip.Uri, error) {
	d := strings.TrimSpace(destination)
	if d == "" || strings.ContainsAny(d, " \t\r\n<>\"") {
		return sip.Uri{}, fmt.Errorf("invalid destination %q", destination)
	}
	if !strings.HasPrefix(d, "sip:") && !strings.HasPrefix(d, "sips:") {
		if !strings.Contains(d, "@") {
			d += "@" + p.info.SipDomain
		}
		d = "sip:" + d
	}
	var u sip.Uri
	if err := sip.ParseUri(d, &u); err != nil || u.Host == "" {
		return sip.Uri{}, fmt.Errorf("invalid destination %q", destination)
	}
	return u, nil
}

// dial makes the offer and runs the INVITE transaction to its end, on the
// call's queue.
func (c *Call) dial() {
	c.mu.Lock()
	if c.ended {
		c.mu.Unlock()
		return
	}
	c.exchange = true
	c.mu.Unlock()
	defer c.exchangeDone()
	sess, err := c.newSession()
	if err != nil {
		c.end(StateCallEnded, CauseMediaFailed, 0, "media unavailable: "+err.Error())
		return
	}
	ctx, cancel := mediaContext()
	c.startVideo(ctx, sess, "")
	offer, err := sess.Offer(ctx, media.SendRecv, false)
	cancel()
	if err != nil {
		c.end(StateCallEnded, CauseMediaFailed, 0, "could not make an offer: "+err.Error())
		return
	}
	c.invite.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	c.invite.SetBody([]byte(offer))
	auth := c.p.newAuth()
	answeredFresh := false
	asked := c.p.limits.sessionExpires
	for attempt := 0; attempt < 4; attempt++ {
		if c.Ended() {
			return
		}
		res, err := c.inviteOnce()
		if err != nil {
			c.end(StateCallEnded, CauseNetwork, 0, err.Error())
			return
		}
		if res == nil {
			return // ended while waiting
		}
		tooSmall := res.StatusCode == 422 && c.p.retryAfter422(res, asked) > 0
		if res.StatusCode != 401 && res.StatusCode != 407 && !tooSmall {
			c.finalResponse(res)
			return
		}
		if tooSmall {
			asked = c.p.retryAfter422(res, asked)
			c.log.Infof("422: asking again with a session interval of %s", asked)
			c.p.offerSessionTimer(c.invite, asked)
		} else if err := auth.Challenged(res, answeredFresh); err != nil {
			c.end(StateCallEnded, CauseFailed, res.StatusCode, fmt.Sprintf("%d %s: %v", res.StatusCode, res.Reason, err))
			return
		} else {
			answeredFresh = true
		}
		c.invite = c.invite.Clone()
		c.invite.RemoveHeader("Via")
		c.invite.PrependHeader(c.p.id.Via(c.p.acct.Secure))
		c.invite.CSeq().SeqNo++
		if _, err := auth.Authorize(c.invite); err != nil {
			c.end(StateCallEnded, CauseFailed, 0, err.Error())
			return
		}
	}
	c.end(StateCallEnded, CauseFailed, 0, "too many authentication challenges")
}

// inviteOnce sends the INVITE and returns its final response, handling the
// provisional ones on the way. It returns nil, nil if the call ended meanwhile.
func (c *Call) inviteOnce() (*sip.Response, error) {
	tx, err := c.p.ua.Request(c.invite)
	if err != nil {
		return nil, fmt.Errorf("could not send INVITE: %w", err)
	}
	c.mu.Lock()
	c.outTx = tx
	c.mu.Unlock()
	defer func() { c.mu.Lock(); c.outTx = nil; c.mu.Unlock() }()
	provisional := false
	for res := range tx.Responses() {
		if res.StatusCode == 100 {
			continue
		}
		if res.StatusCode < 200 {
			if !provisional {
				provisional = true
				c.mu.Lock()
				cancelNow := c.canceling
				c.mu.Unlock()
				if cancelNow {
					c.sendCancel()
				}
			}
			c.provisional(res)
			continue
		}
		return res, nil
	}
	if c.Ended() {
		return nil, nil
	}
	if errors.Is(tx.Err(), sip.ErrTransactionTimeout) {
		return nil, errors.New("no answer (timeout)")
	}
	return nil, fmt.Errorf("INVITE failed: %v", tx.Err())
}

// provisional handles 180/183: "ringing" once, early media if it has SDP,
// ringback otherwise.
func (c *Call) provisional(res *sip.Response) {
	if isSDP(res) {
		c.mu.Lock()
		first := !c.earlyMedia
		c.earlyMedia = true
		sess := c.sess
		c.mu.Unlock()
		if first {
			ctx, cancel := mediaContext()
			if err := sess.Accept(ctx, string(res.Body()), true); err != nil {
				c.log.Warnf("early media answer not usable: %v", err)
			}
			cancel()
			c.p.tones.release(c)
		}
	} else if !c.hasEarlyMedia() && !c.Ended() {
		c.p.tones.play(c, toneRingback)
	}
	if c.State() == StateCalling {
		c.setState(StateRinging)
	}
}

func (c *Call) hasEarlyMedia() bool { c.mu.Lock(); defer c.mu.Unlock(); return c.earlyMedia }

// finalResponse ends the INVITE transaction: 2xx connects (or, if we had
// cancelled meanwhile, is ACKed and hung up), anything else ends the call.
func (c *Call) finalResponse(res *sip.Response) {
	c.p.tones.release(c)
	if !res.IsSuccess() {
		c.end(StateCallEnded, causeOfStatus(res.StatusCode), res.StatusCode, fmt.Sprintf("%d %s", res.StatusCode, res.Reason))
		return
	}
	dialog, err := sipua.NewUACDialog(c.p.ua, &c.p.id, &c.p.acct, c.invite, res)
	if err != nil {
		c.log.Errorf("unusable 2xx: %v", err)
		c.end(StateCallEnded, CauseFailed, res.StatusCode, "unusable 2xx: "+err.Error())
		return
	}
	c.mu.Lock()
	c.dialog = dialog
	canceled := c.canceling || c.ended
	sess := c.sess // under the lock: end() swaps it once the call is over
	c.mu.Unlock()
	ack := dialog.Ack(c.invite.CSeq().SeqNo)
	for _, name := range []string{"Authorization", "Proxy-Authorization"} {
		for _, h := range c.invite.GetHeaders(name) {
			ack.AppendHeader(sip.HeaderClone(h))
		}
	}
	_ = c.p.ua.Send(ack)
	if canceled {
		c.sendBye()
		return
	}
	ctx, cancel := mediaContext()
	err = sess.Accept(ctx, string(res.Body()), false)
	if err == nil {
		c.videoNegotiated(ctx, string(c.invite.Body()), string(res.Body()), true)
	}
	cancel()
	if err != nil {
		c.log.Errorf("the far end's answer is not usable: %v", err)
		c.sendBye()
		c.end(StateCallEnded, CauseMediaFailed, res.StatusCode, "unusable answer: "+err.Error())
		return
	}
	if c.setState(StateConnected) {
		c.acceptSessionTimer(res, res)
		c.watchMediaStart()
	}
}

// sendCancel cancels our pending INVITE (RFC 3261 §9.1).
func (c *Call) sendCancel() {
	c.mu.Lock()
	inv := c.invite
	c.mu.Unlock()
	cancel := sip.NewRequest(sip.CANCEL, inv.Recipient)
	cancel.AppendHeader(inv.Via().Clone())
	for _, name := range []string{"Route", "Max-Forwards", "From", "To", "Call-ID"} {
		for _, h := range inv.GetHeaders(name) {
			cancel.AppendHeader(sip.HeaderClone(h))
		}
	}
	cancel.AppendHeader(&sip.CSeqHeader{SeqNo: inv.CSeq().SeqNo, MethodName: sip.CANCEL})
	cancel.SetBody(nil)
	if _, err := c.p.ua.Request(cancel); err != nil {
		c.log.Warnf("could not send CANCEL: %v", err)
	}
}

// sdkOwnedHeader tells whether an app-supplied header would duplicate one the
// SDK writes and the dialog depends on (in full or compact form).
func sdkOwnedHeader(name string) bool {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "via", "v", "call-id", "i", "cseq", "from", "f", "to", "t",
		"contact", "m", "max-forwards", "content-length", "l", "content-type", "c":
		return true
	}
	return false
}
