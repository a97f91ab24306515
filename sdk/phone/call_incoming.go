package phone

import (
	"fmt"
	"strings"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/webphone/exotelsdk/sdk/media"
	"github.com/webphone/exotelsdk/sdk/sipua"
)

// onIncomingInvite starts an incoming call: 180 Ringing, then the app hears
// "incoming". No 100 Trying: the 180 leaves at once, in the INVITE's own
// task (RFC 3261 §8.2.6.1 asks for a 100 only when no provisional response
// goes within 200 ms, and sipgo's transaction sends one then), and the 100
// is hop-by-hop: the proxy sends its own to the caller. The call waits for
// Answer, Hangup, the caller's CANCEL or noAnswerTimeout. With maxCalls
// calls already up it is refused 486.
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
	if p.tooSmallInterval(req, func(res *sip.Response) { _ = tx.Respond(res) }) {
		p.log.Infof("incoming INVITE %s asks a session interval below %s; 422", req.CallID().Value(), minSessionExpires)
		return
	}
	fromTag, _ := req.From().Params.Get("tag")
	if p.calls.byRemote(req.CallID().Value(), fromTag) != nil {
		p.log.Warnf("incoming INVITE %s repeats a call in progress; 482", req.CallID().Value())
		reject(482, "Loop Detected")
		return
	}
	if replaces := req.GetHeader("Replaces"); replaces != nil {
		p.onReplacingInvite(req, tx, replaces.Value()) // call_replaces.go
		return
	}
	// Born incoming (so Answer works as soon as the app can see the call);
	// "incoming" is reported once the 180 is out.
	c, err := p.newIncomingCall(req, tx)
	if err != nil {
		p.log.Warnf("bad INVITE: %v", err)
		reject(400, "Bad Request")
		return
	}
	dialog, tag := c.dialog, c.localTag
	if !p.calls.admit(c, p.limits.maxCalls) {
		p.log.Infof("incoming INVITE %s while %d call(s) are up (maxCalls %d); 486",
			req.CallID().Value(), len(p.calls.all()), p.limits.maxCalls)
		reject(486, "Busy Here")
		return
	}
	req.To().Params.Add("tag", tag) // sipgo builds its 487 from the INVITE: same To tag as the 180
	key := c.key()
	tx.OnCancel(func(cancel *sip.Request) {
		// The transaction has answered 487; the caller gave up, or (Reason:
		// SIP;cause=200) another phone of the user answered. The call is
		// found by its key, not held: the transaction outlives it by Timer
		// L (32 s), and would keep its peer connection alive that long.
		c := p.calls.byKey(key)
		if c == nil {
			return
		}
		elsewhere := answeredElsewhere(cancel)
		c.mu.Lock()
		c.answeredElsewhere = elsewhere
		c.mu.Unlock()
		why := "canceled by the caller"
		if elsewhere {
			why = "answered elsewhere"
		}
		spawnSafe(p, "CANCEL", func() { c.end(StateTerminated, CauseCanceled, 487, why) })
	})
	if err := tx.Respond(dialog.Respond(req, 180, "Ringing", nil, "")); err != nil {
		p.log.Warnf("could not send 180 Ringing: %v", err)
	}
	if p.limits.noAnswer > 0 {
		c.mu.Lock()
		c.noAnswer = p.deps.Clock.AfterFunc(p.limits.noAnswer, c.noAnswerTimeout)
		c.mu.Unlock()
	}
	p.tones.play(c, p.calls.ringToneFor(c))
	c.report(string(StateIncoming))
}

// newIncomingCall makes the call (and the dialog, with a new tag of ours)
// of an incoming INVITE; the phone does not know it yet.
func (p *Phone) newIncomingCall(req *sip.Request, tx *sip.ServerTx) (*Call, error) {
	tag := sipua.NewTag()
	dialog, err := sipua.NewUASDialog(p.ua, &p.id, &p.acct, req, tag)
	if err != nil {
		return nil, err
	}
	from := req.From()
	c := &Call{p: p, log: p.log.With("call"), dialog: dialog, invite: req, inviteTx: tx, localTag: tag, state: StateIncoming}
	c.ops.p = p
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
	return c, nil
}

// answeredElsewhere tells whether a CANCEL says the call was answered by
// another phone (RFC 3326 Reason: SIP;cause=200).
func answeredElsewhere(cancel *sip.Request) bool {
	for _, h := range cancel.GetHeaders("Reason") {
		v := strings.ToLower(strings.ReplaceAll(h.Value(), " ", ""))
		if strings.HasPrefix(v, "sip;") && strings.Contains(v, "cause=200") {
			return true
		}
	}
	return false
}

// noAnswerTimeout ends an incoming call that rang noAnswerTimeout without
// being answered: 480 to the caller, then "terminated" and "missed".
func (c *Call) noAnswerTimeout() {
	c.mu.Lock()
	tx := c.inviteTx
	if c.ended || c.answering || tx == nil {
		c.mu.Unlock()
		return
	}
	c.inviteTx = nil
	c.noAnswer = nil
	c.mu.Unlock()
	c.log.Infof("call %s not answered in %s; 480", c.d.CallID, c.p.limits.noAnswer)
	if err := tx.Respond(c.dialog.Respond(c.invite, 480, "Temporarily Unavailable", nil, "")); err != nil {
		c.log.Warnf("could not send 480: %v", err)
	}
	c.end(StateTerminated, CauseNoAnswer, 480, "not answered in time")
}

// ringing tells whether c is an incoming call still waiting for the app.
func (c *Call) ringing() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state == StateIncoming && !c.answering && !c.ended
}

// AnswerOptions are Answer's options.
type AnswerOptions struct {
	// Video answers a video offer with our camera (sendrecv). Without it the
	// call is audio only: the answer's video stream is inactive.
	Video bool
}

// Answer accepts an incoming call, audio only (AnswerWith without options).
func (c *Call) Answer() error { return c.AnswerWith(AnswerOptions{}) }

// AnswerWith accepts an incoming call: the other connected calls are held
// (silent at once), microphone (and camera) and SDP answer are made while
// their re-INVITEs are answered, then the 200 OK, and "connected" once the
// ACK arrives. It returns at once; the work runs behind.
func (c *Call) AnswerWith(opts AnswerOptions) error {
	c.mu.Lock()
	if c.d.CallDirection != "incoming" || c.state != StateIncoming || c.answering || c.ended {
		state := c.state
		if c.ended {
			state = "ended"
		}
		c.mu.Unlock()
		return fmt.Errorf("cannot answer a call that is %s", state)
	}
	c.answering = true
	if opts.Video && videoOf(string(c.invite.Body())).active() {
		c.video = media.SendRecv
	} else if opts.Video {
		c.log.Infof("Answer with video: the offer has no video; audio only")
	}
	if c.noAnswer != nil {
		c.noAnswer.Stop()
		c.noAnswer = nil
	}
	c.mu.Unlock()
	c.p.tones.release(c)
	c.p.calls.retone()
	held := c.p.startHoldingOthers(c)
	c.ops.do(func() { c.answer(held) })
	return nil
}

// holdWait bounds how long an answer waits for the holds of the other
// calls: they are silent from the start, and a far end that never answers
// its re-INVITE must not keep this caller waiting for Timer B.
const holdWait = 2 * time.Second

// answer runs on the call's queue: the media answer (while the other calls'
// holds run), the 200 OK once they are held, and its retransmissions until
// the ACK (held nil: no holds to wait for). Waiting for held, closed by the
// other calls' holds, is the one wait on other calls from inside an
// operation: a hold never waits on another call, so no cycle can form.
func (c *Call) answer(held <-chan struct{}) {
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
		c.rejectWith(500, "Server Internal Error", CauseMediaFailed, "media unavailable: "+err.Error())
		return
	}
	ctx, cancel := mediaContext()
	defer cancel()
	c.startVideo(ctx, sess, string(c.invite.Body()))
	answer, err := sess.Answer(ctx, string(c.invite.Body()))
	if err != nil {
		c.log.Errorf("could not answer the offer: %v", err)
		c.rejectWith(488, "Not Acceptable Here", CauseMediaFailed, "media: "+err.Error())
		return
	}
	c.videoNegotiated(ctx, answer, string(c.invite.Body()), false)
	if held != nil {
		timeout, timer := c.p.after(holdWait)
		select {
		case <-held:
		case <-timeout:
			c.log.Warnf("answering call %s before the other calls' holds are answered", c.d.CallID)
		}
		timer.Stop()
	}
	c.mu.Lock()
	tx := c.inviteTx
	if c.ended || tx == nil {
		c.mu.Unlock()
		return
	}
	c.inviteTx = nil
	c.ackWait = make(chan struct{})
	ackWait := c.ackWait
	c.mu.Unlock()
	ok := c.dialog.Respond(c.invite, 200, "OK", []byte(answer), "application/sdp")
	c.answerSessionTimer(c.invite, ok)
	if err := c.p.ua.Accept(tx, ok); err != nil {
		c.log.Errorf("could not send 200 OK: %v", err)
		c.end(StateTerminated, CauseNetwork, 0, "could not send 200 OK")
		return
	}
	if c.retransmitUntilAck(ok, ackWait) && c.setState(StateConnected) {
		c.armSessionTimer()
		c.watchMediaStart()
	}
}

// exchangeDone marks the end of an offer/answer exchange of an operation,
// and reports the video change it made, if any (mediaUpdated).
func (c *Call) exchangeDone() {
	c.mu.Lock()
	c.exchange = false
	changed := c.videoChanged && !c.ended
	c.videoChanged = false
	c.mu.Unlock()
	if changed {
		c.report(EventMediaUpdated)
	}
}

// retransmitUntilAck resends our 2xx until the ACK arrives (RFC 3261
// §13.3.1.4) and tells whether it came; without an ACK in 64*T1 the call is
// ended with a BYE.
func (c *Call) retransmitUntilAck(ok *sip.Response, ackWait chan struct{}) bool {
	interval := sip.T1
	deadline, dt := c.p.after(64 * sip.T1)
	defer dt.Stop()
	for {
		resend, rt := c.p.after(interval)
		select {
		case <-ackWait:
			rt.Stop()
			return !c.Ended()
		case <-deadline:
			rt.Stop()
			c.log.Warnf("no ACK for our 200 OK; hanging up")
			c.sendBye()
			c.end(StateTerminated, CauseNetwork, 0, "no ACK from the far end")
			return false
		case <-resend:
			if c.Ended() {
				return false
			}
			_ = c.p.ua.Send(ok)
			if interval *= 2; interval > sip.T2 {
				interval = sip.T2
			}
		}
	}
}

// onAck handles the ACK for our 2xx: it releases the operation waiting for
// it (which applies an SDP answer the ACK carries).
func (c *Call) onAck(req *sip.Request) {
	c.mu.Lock()
	wait := c.ackWait
	c.ackWait = nil
	if wait != nil {
		c.ackBody = req.Body()
		// The offer/answer is complete on the wire (RFC 3261 §14.2): a new
		// re-INVITE is queued behind the rest of this operation, not refused.
		c.exchange = false
	}
	c.mu.Unlock()
	if wait != nil {
		close(wait)
	}
}

// rejectWith ends an unanswered incoming call with a final error response.
func (c *Call) rejectWith(code int, reason string, cause EndCause, why string) {
	c.mu.Lock()
	tx := c.inviteTx
	c.inviteTx = nil
	c.mu.Unlock()
	if tx != nil {
		if err := tx.Respond(c.dialog.Respond(c.invite, code, reason, nil, "")); err != nil {
			c.log.Warnf("could not send %d: %v", code, err)
		}
	}
	c.end(StateCallEnded, cause, code, why)
}
