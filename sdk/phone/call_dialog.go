package phone

import (
	"errors"
	"fmt"
	"strings"

	"github.com/emiago/sipgo/sip"
	"github.com/webphone/exotelsdk/sdk/media"
)

// onRequest handles a request the far end sent within this call's dialog.
// It runs on the UA's receive loop: media work goes to a goroutine.
func (c *Call) onRequest(req *sip.Request, tx *sip.ServerTx) {
	respond := func(code int, reason string) {
		if err := tx.Respond(c.dialog.Respond(req, code, reason, nil, "")); err != nil {
			c.log.Warnf("could not answer %s: %v", req.Method, err)
		}
	}
	if !c.dialog.AcceptRemoteSeq(req) {
		respond(500, "Server Internal Error")
		return
	}
	switch req.Method {
	case sip.BYE:
		respond(200, "OK")
		c.mu.Lock()
		pending := c.inviteTx
		c.inviteTx = nil
		c.mu.Unlock()
		if pending != nil {
			_ = pending.Respond(c.dialog.Respond(c.invite, 487, "Request Terminated", nil, ""))
		}
		cause := CauseRemoteHangup
		c.mu.Lock()
		if c.xfer.referredAway {
			cause = CauseTransferred
		}
		c.mu.Unlock()
		c.end(StateTerminated, cause, 0, "the far end hung up")
	case sip.INVITE:
		c.onReinvite(req, tx)
	case sip.INFO:
		c.log.Infof("INFO from the far end (%s): %q", contentType(req), string(req.Body()))
		respond(200, "OK")
	case sip.REFER:
		c.onRefer(req, tx)
	case sip.NOTIFY:
		respond(200, "OK")
		c.onReferNotify(req)
	case sip.OPTIONS:
		respond(200, "OK")
	case sip.UPDATE:
		if len(req.Body()) > 0 {
			respond(488, "Not Acceptable Here") // session changes come by re-INVITE
			return
		}
		ok := c.dialog.Respond(req, 200, "OK", nil, "")
		c.refreshedByFarEnd(req, ok) // a session refresh (RFC 4028)
		if err := tx.Respond(ok); err != nil {
			c.log.Warnf("could not answer UPDATE: %v", err)
		}
	default:
		respond(501, "Not Implemented")
	}
}

// onReinvite answers a re-INVITE: a hold or resume, a new offer, or (without
// SDP) a request for our offer, which the ACK then answers. It runs on the
// call's queue; while another exchange is in progress it gets 491 at once.
func (c *Call) onReinvite(req *sip.Request, tx *sip.ServerTx) {
	c.mu.Lock()
	busy := c.exchange || c.state != StateConnected
	c.mu.Unlock()
	if busy || !c.ops.do(func() { c.answerReinvite(req, tx) }) {
		_ = tx.Respond(c.dialog.Respond(req, 491, "Request Pending", nil, ""))
	}
}

func (c *Call) answerReinvite(req *sip.Request, tx *sip.ServerTx) {
	c.mu.Lock()
	if c.ended || c.exchange {
		c.mu.Unlock()
		_ = tx.Respond(c.dialog.Respond(req, 491, "Request Pending", nil, ""))
		return
	}
	c.exchange = true
	sess := c.sess
	c.mu.Unlock()
	defer c.exchangeDone()
	ctx, cancel := mediaContext()
	defer cancel()
	var sdp string
	var err error
	offerless := len(req.Body()) == 0
	if offerless {
		sdp, err = sess.Offer(ctx, c.localDirection(), false)
	} else if !isSDP(req) || !hasAudio(string(req.Body())) {
		err = errors.New("no usable audio in the offer")
	} else {
		c.farEndVideo(ctx, sess, string(req.Body()))
		sdp, err = sess.Answer(ctx, string(req.Body()))
	}
	if err != nil {
		c.log.Warnf("re-INVITE refused: %v", err)
		_ = tx.Respond(c.dialog.Respond(req, 488, "Not Acceptable Here", nil, ""))
		return
	}
	c.dialog.UpdateTarget(req)
	if !offerless {
		c.videoNegotiated(ctx, sdp, string(req.Body()), false)
		held := remoteHolds(string(req.Body()))
		c.mu.Lock()
		changed := c.d.RemoteHeld != held
		c.d.RemoteHeld = held
		c.mu.Unlock()
		if changed {
			c.log.Infof("the far end %s the call", map[bool]string{true: "held", false: "resumed"}[held])
		}
	}
	ok := c.dialog.Respond(req, 200, "OK", []byte(sdp), "application/sdp")
	c.refreshedByFarEnd(req, ok)
	c.mu.Lock()
	c.ackWait = make(chan struct{})
	c.ackBody = nil
	wait := c.ackWait
	c.mu.Unlock()
	if err := c.p.ua.Accept(tx, ok); err != nil {
		c.log.Warnf("could not answer re-INVITE: %v", err)
	}
	if !c.retransmitUntilAck(ok, wait) || !offerless {
		return
	}
	c.mu.Lock()
	body := c.ackBody
	c.mu.Unlock()
	if len(body) == 0 {
		c.log.Warnf("the ACK to our offer carried no answer")
		return
	}
	if err := sess.Accept(ctx, string(body), false); err != nil {
		c.log.Warnf("the answer in the ACK was not usable: %v", err)
		return
	}
	c.videoNegotiated(ctx, sdp, string(body), true)
}

// localDirection is the direction we offer now: sendonly while we hold.
func (c *Call) localDirection() media.Direction {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.d.Held {
		return media.SendOnly
	}
	return media.SendRecv
}

// Hangup ends the call: reject (486) before answering, CANCEL an outgoing
// call that is not answered yet, BYE after. The app hears callEnded.
func (c *Call) Hangup() error {
	c.mu.Lock()
	if c.ended {
		c.mu.Unlock()
		return errors.New("the call has already ended")
	}
	state, dir := c.state, c.d.CallDirection
	tx := c.inviteTx
	if tx != nil {
		c.inviteTx = nil
	}
	outgoingPending := dir == "outgoing" && c.dialog == nil
	if outgoingPending {
		c.canceling = true
	}
	provisional := c.state == StateRinging
	c.mu.Unlock()
	switch {
	case tx != nil:
		if err := tx.Respond(c.dialog.Respond(c.invite, 486, "Busy Here", nil, "")); err != nil {
			c.log.Warnf("could not reject: %v", err)
		}
		c.end(StateCallEnded, CauseRejected, 486, "rejected")
	case outgoingPending:
		if provisional {
			c.sendCancel()
		} // else the CANCEL goes out with the first provisional response
		c.end(StateCallEnded, CauseHangup, 0, "canceled")
	default:
		c.log.Infof("hanging up a %s call", state)
		c.sendBye()
		c.end(StateCallEnded, CauseHangup, 0, "hung up")
	}
	return nil
}

// sendBye ends the dialog; the answer is only logged.
func (c *Call) sendBye() {
	tx, err := c.p.ua.Request(c.dialog.NewRequest(sip.BYE))
	if err != nil {
		c.log.Warnf("could not send BYE: %v", err)
		return
	}
	spawnSafe(c.p, "BYE", func() {
		for res := range tx.Responses() {
			if res.StatusCode >= 300 {
				c.log.Warnf("BYE answered %d %s", res.StatusCode, res.Reason)
			}
		}
	})
}

// SetMuted turns the microphone off or on; no signalling.
func (c *Call) SetMuted(muted bool) {
	c.mu.Lock()
	c.d.Muted = muted
	sess := c.sess
	c.mu.Unlock()
	if sess != nil {
		sess.SetMuted(muted)
	}
}

// Muted tells whether the microphone is off.
func (c *Call) Muted() bool { c.mu.Lock(); defer c.mu.Unlock(); return c.d.Muted }

// Held tells whether we hold the call.
func (c *Call) Held() bool { c.mu.Lock(); defer c.mu.Unlock(); return c.d.Held }

// SetHold holds (re-INVITE a=sendonly) or resumes (a=sendrecv) the call and
// waits for the outcome. While held nothing audible is sent (the media stops
// sending before the re-INVITE goes out); the mute state is kept. Resuming a
// call first holds the other connected calls. A refused or glared (491)
// re-INVITE leaves the call as it was and returns the error.
func (c *Call) SetHold(hold bool) error {
	if err := c.holdable(); err != nil {
		return err
	}
	if !hold {
		c.p.holdOthers(c)
	} else if c.p.conf.leave(c, "held") {
		c.p.conf.remix()
	}
	return c.ops.run(func() error { return c.setHold(hold, false) })
}

// holdForSwitch holds the call because we are about to talk on another one.
// Unlike SetHold, a refused or glared re-INVITE does not make the call
// audible again: the far end keeps hearing nothing (a private, local hold)
// and the call counts as held, so resuming it later re-offers sendrecv.
func (c *Call) holdForSwitch() error {
	if err := c.holdable(); err != nil {
		return err
	}
	return c.ops.run(func() error { return c.setHold(true, true) })
}

// holdable tells why the call cannot be held or resumed now, if it cannot.
func (c *Call) holdable() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.state != StateConnected || c.ended {
		state := c.state
		if c.ended {
			state = "ended"
		}
		return fmt.Errorf("cannot hold or resume a call that is %s", state)
	}
	return nil
}

// setHold runs on the call's queue. With private, a failed hold stays a
// local hold (see holdForSwitch).
func (c *Call) setHold(hold, private bool) error {
	if err := c.holdable(); err != nil {
		return err
	}
	c.mu.Lock()
	if c.d.Held == hold {
		c.mu.Unlock()
		return nil
	}
	c.exchange = true
	sess := c.sess
	c.mu.Unlock()
	defer c.exchangeDone()
	dir := media.SendRecv
	if hold {
		dir = media.SendOnly
		sess.SetHeld(true) // silent at once, before the far end is told
	}
	if err := c.renegotiate(dir, false); err != nil {
		if hold && private && !c.Ended() {
			c.log.Warnf("the far end did not take the hold (%v); it stays held here and hears nothing", err)
			c.mu.Lock()
			c.d.Held = true
			c.mu.Unlock()
			return nil
		}
		if hold {
			sess.SetHeld(false)
		}
		return err
	}
	if !hold {
		sess.SetHeld(false)
	}
	c.mu.Lock()
	c.d.Held = hold
	c.mu.Unlock()
	return nil
}

// renegotiate runs one offer/answer of ours by re-INVITE, on the call's
// queue with c.exchange set. On failure the offer is rolled back and the
// call stays as it was.
func (c *Call) renegotiate(dir media.Direction, iceRestart bool) error {
	sess := c.Media()
	ctx, cancel := mediaContext()
	defer cancel()
	offer, err := sess.Offer(ctx, dir, iceRestart)
	if err != nil {
		return fmt.Errorf("could not make the offer: %w", err)
	}
	res, err := c.reoffer(offer)
	if err == nil {
		err = sess.Accept(ctx, string(res.Body()), false)
	}
	if err != nil {
		if rbErr := sess.Rollback(ctx); rbErr != nil {
			c.log.Warnf("rollback failed: %v", rbErr)
		}
		return err
	}
	c.videoNegotiated(ctx, offer, string(res.Body()), true)
	return nil
}

// reoffer sends a re-INVITE with our offer and returns its 2xx (already ACKed).
func (c *Call) reoffer(offer string) (*sip.Response, error) {
	req := c.dialog.NewRequest(sip.INVITE)
	req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	c.addRefreshHeaders(req, c.sessionInterval())
	req.SetBody([]byte(offer))
	tx, err := c.p.ua.Request(req)
	if err != nil {
		return nil, err
	}
	for res := range tx.Responses() {
		if res.StatusCode < 200 {
			continue
		}
		if !res.IsSuccess() {
			if res.StatusCode == 481 || res.StatusCode == 408 {
				defer c.end(StateTerminated, CauseNetwork, res.StatusCode, fmt.Sprintf("re-INVITE answered %d", res.StatusCode))
			}
			return nil, fmt.Errorf("re-INVITE answered %d %s", res.StatusCode, res.Reason)
		}
		c.dialog.UpdateTarget(res)
		_ = c.p.ua.Send(c.dialog.Ack(req.CSeq().SeqNo))
		c.acceptSessionTimer(res, nil) // every 2xx to a re-INVITE refreshes the session
		return res, nil
	}
	return nil, fmt.Errorf("re-INVITE got no answer: %v", tx.Err())
}

// SendDTMF sends one digit (0-9 * # A-D) by SIP INFO or RFC 4733.
func (c *Call) SendDTMF(digit string) error {
	if len(digit) != 1 || !strings.Contains("0123456789*#ABCDabcd", digit) {
		return fmt.Errorf("invalid DTMF digit %q", digit)
	}
	d := strings.ToUpper(digit)
	c.mu.Lock()
	connected := c.state == StateConnected && !c.ended
	sess := c.sess
	c.mu.Unlock()
	if !connected {
		return errors.New("DTMF needs a connected call")
	}
	if c.p.dtmfMode() == media.DTMFRFC4733 {
		return sess.SendDTMF(rune(d[0]))
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ended {
		return errors.New("the call has ended")
	}
	if c.dtmf == nil {
		// The goroutine gets the queue itself: end() may set c.dtmf to nil
		// before it starts.
		queue := make(chan string, 64)
		c.dtmf = queue
		spawnSafe(c.p, "DTMF", func() { c.sendDTMFInfos(queue) })
	}
	select { // never blocks, so it may run under the lock that end() closes the queue with
	case c.dtmf <- d:
		return nil
	default:
		return errors.New("too many DTMF digits queued")
	}
}

// sendDTMFInfos sends queued digits as SIP INFO application/dtmf-relay, one
// at a time: the next goes only after the previous one's answer, so that the
// proxy cannot reorder them.
func (c *Call) sendDTMFInfos(queue chan string) {
	for d := range queue {
		if c.Ended() {
			return
		}
		req := c.dialog.NewRequest(sip.INFO)
		req.AppendHeader(sip.NewHeader("Content-Type", "application/dtmf-relay"))
		req.SetBody([]byte("Signal=" + d + "\r\nDuration=160\r\n"))
		tx, err := c.p.ua.Request(req)
		if err != nil {
			c.log.Warnf("could not send DTMF %s: %v", d, err)
			continue
		}
		for res := range tx.Responses() {
			if res.StatusCode >= 300 {
				c.log.Warnf("DTMF INFO answered %d %s", res.StatusCode, res.Reason)
			}
			if res.StatusCode >= 200 {
				tx.Terminate()
			}
		}
	}
}
