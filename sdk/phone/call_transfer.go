package phone

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"
)

// Events of a call we transfer (Transfer, AttendedTransfer), reported to the
// app beside the call's states.
const (
	EventTransferring   = "transferring"   // the far end took our REFER (202)
	EventTransferred    = "transferred"    // its call to the target was answered; ours ends
	EventTransferFailed = "transferFailed" // refused, failed or silent: our call stays as it was
)

// transferTimeout is how long the far end may stay silent (no NOTIFY) while
// it carries out our REFER before the transfer counts as failed.
const transferTimeout = 32 * time.Second

// transferState is what a call keeps about transfers: a REFER of ours in
// progress, the REFER of another call that made this one, and whether the
// far end's REFER to us succeeded (its BYE then ends the call 'transferred').
type transferState struct {
	out          *outgoingTransfer
	referral     *referral // call_referred.go
	referredAway bool
}

// outgoingTransfer is one REFER of ours waiting for the far end's final
// NOTIFY: finish delivers its sipfrag status (0: the call ended first).
type outgoingTransfer struct {
	once   sync.Once
	final  chan int
	notify chan struct{} // a NOTIFY arrived: the silence timer starts again
}

func newOutgoingTransfer() *outgoingTransfer {
	return &outgoingTransfer{final: make(chan int, 1), notify: make(chan struct{}, 1)}
}

func (t *outgoingTransfer) finish(status int) { t.once.Do(func() { t.final <- status }) }

// Transfer hands the far end on to target (a user or number at the
// account's domain, or a sip: URI, as MakeCall reads it) by REFER (RFC
// 3515, Referred-By RFC 3892) and waits for the outcome. On success the call
// has ended ('transferred'); on failure it is as it was (held if it was).
func (c *Call) Transfer(target string) error {
	uri, err := c.p.targetURI(target)
	if err != nil {
		return err
	}
	return c.refer("<" + uri.String() + ">")
}

// AttendedTransfer connects this call's far end with other's (RFC 3891): a
// REFER whose Refer-To is other's far end with Replaces naming other's
// dialog. On success both calls end ('transferred').
func (c *Call) AttendedTransfer(other *Call) error {
	if other == nil || other == c {
		return errors.New("an attended transfer needs another call")
	}
	if other.p != c.p {
		return errors.New("the other call belongs to another account")
	}
	other.mu.Lock()
	d, ok := other.dialog, other.state == StateConnected && !other.ended
	other.mu.Unlock()
	if !ok || d == nil {
		return errors.New("the other call is not connected")
	}
	target := d.RemoteURI()
	target.Headers = nil
	replaces := d.CallID + ";to-tag=" + d.RemoteTag + ";from-tag=" + d.LocalTag
	if err := c.refer("<" + target.String() + "?Replaces=" + url.QueryEscape(replaces) + ">"); err != nil {
		return err
	}
	other.hangupTransferred("its far end was transferred to call " + c.d.CallID)
	return nil
}

// refer sends the REFER and follows it to its outcome.
func (c *Call) refer(referTo string) error {
	c.mu.Lock()
	var err error
	switch {
	case c.ended:
		err = errCallEnded
	case c.state != StateConnected || c.dialog == nil:
		err = fmt.Errorf("cannot transfer a call that is %s", c.state)
	case c.xfer.out != nil:
		err = errors.New("a transfer of this call is already in progress")
	}
	if err != nil {
		c.mu.Unlock()
		return err
	}
	t := newOutgoingTransfer()
	c.xfer.out = t
	c.mu.Unlock()
	defer func() { c.mu.Lock(); c.xfer.out = nil; c.mu.Unlock() }()
	c.log.Infof("transferring call %s: REFER to %s", c.d.CallID, referTo)
	res, err := c.sendRefer(referTo)
	if err == nil && !res.IsSuccess() {
		err = fmt.Errorf("REFER answered %d %s", res.StatusCode, res.Reason)
	}
	if err != nil {
		return c.transferFailed(err)
	}
	c.report(EventTransferring)
	status := c.awaitTransfer(t)
	if status < 200 || status >= 300 {
		why := fmt.Sprintf("the far end reported %d", status)
		switch status {
		case 0:
			why = "the call ended first"
		case transferSilent:
			why = fmt.Sprintf("no NOTIFY for %s", transferTimeout)
		}
		return c.transferFailed(errors.New(why))
	}
	c.report(EventTransferred)
	c.hangupTransferred("transferred")
	return nil
}

// transferSilent is awaitTransfer's outcome when the far end stayed silent.
const transferSilent = -1

// awaitTransfer waits for the final status of the REFER's NOTIFYs; a silence
// of transferTimeout gives transferSilent.
func (c *Call) awaitTransfer(t *outgoingTransfer) int {
	for {
		fired := make(chan struct{})
		timer := c.p.deps.Clock.AfterFunc(transferTimeout, func() { close(fired) })
		select {
		case status := <-t.final:
			timer.Stop()
			return status
		case <-t.notify:
			timer.Stop()
		case <-fired:
			return transferSilent
		}
	}
}

// transferFailed reports transferFailed and returns why.
func (c *Call) transferFailed(err error) error {
	c.log.Warnf("transfer of call %s failed, the call stays as it was: %v", c.d.CallID, err)
	c.report(EventTransferFailed)
	return fmt.Errorf("transfer failed: %w", err)
}

// sendRefer sends the REFER (answering a digest challenge) and returns its
// final response.
func (c *Call) sendRefer(referTo string) (*sip.Response, error) {
	auth := c.p.newAuth()
	for attempt := 0; attempt < 3; attempt++ {
		req := c.dialog.NewRequest(sip.REFER)
		req.AppendHeader(sip.NewHeader("Refer-To", referTo))
		req.AppendHeader(sip.NewHeader("Referred-By", "<"+c.p.acct.AOR.String()+">"))
		req.AppendHeader(c.p.id.Contact(-1, false))
		if _, err := auth.Authorize(req); err != nil {
			return nil, err
		}
		tx, err := c.p.ua.Request(req)
		if err != nil {
			return nil, fmt.Errorf("could not send REFER: %w", err)
		}
		var final *sip.Response
		for res := range tx.Responses() {
			if res.StatusCode >= 200 {
				final = res
			}
		}
		if final == nil {
			return nil, fmt.Errorf("REFER got no answer: %v", tx.Err())
		}
		if final.StatusCode != 401 && final.StatusCode != 407 {
			return final, nil
		}
		if err := auth.Challenged(final, attempt > 0); err != nil {
			return final, err
		}
	}
	return nil, errors.New("too many authentication challenges")
}

// onReferNotify takes the progress of our REFER from the far end's NOTIFY
// (Event: refer, message/sipfrag body).
func (c *Call) onReferNotify(req *sip.Request) {
	event := strings.ToLower(strings.TrimSpace(headerValue(req, "Event")))
	if event != "refer" && !strings.HasPrefix(event, "refer;") {
		return
	}
	c.mu.Lock()
	t := c.xfer.out
	c.mu.Unlock()
	if t == nil {
		return
	}
	select {
	case t.notify <- struct{}{}:
	default:
	}
	code, line := sipfragStatus(req.Body())
	if line != "" {
		c.log.Infof("transfer of call %s: the far end reports %q", c.d.CallID, line)
	}
	terminated := strings.HasPrefix(strings.ToLower(strings.TrimSpace(headerValue(req, "Subscription-State"))), "terminated")
	switch {
	case code >= 200:
		t.finish(code)
	case terminated:
		t.finish(500) // the subscription ended without an outcome
	}
}

// sipfragStatus reads the status line of a message/sipfrag body
// ("SIP/2.0 180 Ringing"): its code, 0 if there is none.
func sipfragStatus(body []byte) (int, string) {
	line, _, _ := strings.Cut(strings.TrimSpace(string(body)), "\n")
	line = strings.TrimSpace(line)
	fields := strings.Fields(line)
	if len(fields) < 2 || !strings.HasPrefix(fields[0], "SIP/") {
		return 0, line
	}
	code, err := strconv.Atoi(fields[1])
	if err != nil || code < 100 || code > 699 {
		return 0, line
	}
	return code, line
}

// hangupTransferred ends a call whose far end now talks to someone else.
func (c *Call) hangupTransferred(why string) {
	if c.Ended() {
		return
	}
	c.sendBye()
	c.end(StateCallEnded, CauseTransferred, 0, why)
}

// headerValue is the value of a request's first header called name, or "".
func headerValue(req *sip.Request, name string) string {
	if h := req.GetHeader(name); h != nil {
		return h.Value()
	}
	return ""
}
