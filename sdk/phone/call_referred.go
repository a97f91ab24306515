package phone

import (
	"fmt"
	"net/url"
	"strings"
	"sync"

	"github.com/emiago/sipgo/sip"
)

// referral is a far end's REFER to us (we are being transferred, RFC 3515):
// the new call it made reports its progress to the transferor as NOTIFYs
// (message/sipfrag) in the old call's dialog, in order, until a final one.
type referral struct {
	from       *Call  // the call the REFER came in
	event      string // "refer;id=<the REFER's CSeq>"
	referredBy string // who transfers us: callDetails().referredBy

	mu    sync.Mutex
	final bool
	queue chan string // sipfrag status lines still to send
}

// onRefer answers the far end's REFER: 202 and a new outgoing call to the
// Refer-To target (with its Replaces and our Referred-By), whose progress
// the NOTIFYs report; 603 when the account refuses transfers.
func (c *Call) onRefer(req *sip.Request, tx *sip.ServerTx) {
	respond := func(code int, reason string) {
		if err := tx.Respond(c.dialog.Respond(req, code, reason, nil, "")); err != nil {
			c.log.Warnf("could not answer REFER: %v", err)
		}
	}
	if c.p.info.RefuseTransfers {
		c.log.Infof("REFER on call %s refused: acceptTransfers is false", c.d.CallID)
		respond(603, "Decline")
		return
	}
	if c.State() != StateConnected {
		respond(403, "Forbidden")
		return
	}
	target, replaces, err := parseReferTo(headerValue(req, "Refer-To"))
	if err != nil {
		c.log.Warnf("REFER on call %s refused: %v", c.d.CallID, err)
		respond(400, "Bad Refer-To")
		return
	}
	referredBy := strings.TrimSpace(headerValue(req, "Referred-By"))
	if referredBy == "" {
		referredBy = "<" + req.From().Address.String() + ">"
	}
	r := &referral{from: c, event: fmt.Sprintf("refer;id=%d", req.CSeq().SeqNo),
		referredBy: referredBy, queue: make(chan string, 8)}
	opts := CallOptions{Headers: map[string]string{"Referred-By": referredBy}, referral: r}
	if replaces != "" {
		opts.Headers["Replaces"] = replaces
	}
	// 202 first: the new call's first message (a hold of this call) follows.
	respond(202, "Accepted")
	r.queue <- "SIP/2.0 100 Trying"
	spawnSafe(c.p, "NOTIFY", r.sendNotifies)
	next, err := c.p.startCall(target, opts)
	if err != nil {
		c.log.Warnf("transfer of call %s to %s failed: %v", c.d.CallID, target.String(), err)
		r.progress(503, "Service Unavailable")
		return
	}
	c.log.Infof("call %s: transferred by %s to %s (new call %s)", c.d.CallID, referredBy, target.String(), next.d.CallID)
}

// parseReferTo reads a Refer-To value: the target URI and its Replaces
// header, if any (decoded).
func parseReferTo(value string) (sip.Uri, string, error) {
	v := strings.TrimSpace(value)
	if i := strings.Index(v, "<"); i >= 0 {
		end := strings.Index(v[i:], ">")
		if end < 0 {
			return sip.Uri{}, "", fmt.Errorf("malformed Refer-To %q", value)
		}
		v = v[i+1 : i+end]
	}
	base, headers, _ := strings.Cut(v, "?")
	var uri sip.Uri
	if err := sip.ParseUri(base, &uri); err != nil || uri.Host == "" ||
		(uri.Scheme != "sip" && uri.Scheme != "sips") {
		return sip.Uri{}, "", fmt.Errorf("Refer-To %q is not a SIP URI", value)
	}
	replaces := ""
	for _, h := range strings.Split(headers, "&") {
		name, val, _ := strings.Cut(h, "=")
		if strings.EqualFold(name, "Replaces") {
			decoded, err := url.PathUnescape(val)
			if err != nil || strings.ContainsAny(decoded, "\r\n") {
				return sip.Uri{}, "", fmt.Errorf("malformed Replaces in Refer-To %q", value)
			}
			replaces = decoded
		}
	}
	return uri, replaces, nil
}

// onCallEvent turns an event of the new call into a NOTIFY: 180 when it
// rings, 200 when it is answered, its failure when it ends first.
func (r *referral) onCallEvent(c *Call, event string) {
	switch CallState(event) {
	case StateRinging:
		r.progress(180, "Ringing")
	case StateConnected:
		r.progress(200, "OK")
		r.from.mu.Lock()
		r.from.xfer.referredAway = true
		r.from.mu.Unlock()
	case StateCallEnded, StateTerminated:
		d := c.Details()
		code, reason := d.SipStatus, d.CallEndReason
		if code < 300 {
			code, reason = 487, "Request Terminated"
			if d.CallEndCause != CauseHangup && d.CallEndCause != CauseCanceled {
				code, reason = 503, "Service Unavailable"
			}
		} else if _, text, ok := strings.Cut(reason, " "); ok {
			reason = text // "486 Busy Here" → "Busy Here"
		}
		r.progress(code, reason)
	}
}

// progress queues a NOTIFY of status code; nothing after the final one.
func (r *referral) progress(code int, reason string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.final {
		return
	}
	r.final = code >= 200
	select {
	case r.queue <- fmt.Sprintf("SIP/2.0 %d %s", code, reason):
	default:
		r.from.log.Warnf("transfer progress %d not reported: too many NOTIFYs queued", code)
	}
	if r.final {
		close(r.queue)
	}
}

// sendNotifies sends the queued NOTIFYs one at a time (each after the
// previous one's answer, so that they arrive in order).
func (r *referral) sendNotifies() {
	for line := range r.queue {
		if r.from.Ended() {
			return
		}
		state := "active;expires=60"
		if code, _ := sipfragStatus([]byte(line)); code >= 200 {
			state = "terminated;reason=noresource"
		}
		req := r.from.dialog.NewRequest(sip.NOTIFY)
		req.AppendHeader(sip.NewHeader("Event", r.event))
		req.AppendHeader(sip.NewHeader("Subscription-State", state))
		req.AppendHeader(r.from.p.id.Contact(-1, false))
		req.AppendHeader(sip.NewHeader("Content-Type", "message/sipfrag;version=2.0"))
		req.SetBody([]byte(line + "\r\n"))
		tx, err := r.from.p.ua.Request(req)
		if err != nil {
			r.from.log.Warnf("could not send NOTIFY %q: %v", line, err)
			continue
		}
		for res := range tx.Responses() {
			if res.StatusCode >= 300 {
				r.from.log.Warnf("NOTIFY %q answered %d %s", line, res.StatusCode, res.Reason)
			}
		}
	}
}

// bareURI is the URI of a name-addr ("Bob" <sip:bob@x>;p=1 → sip:bob@x).
func bareURI(v string) string {
	if i := strings.Index(v, "<"); i >= 0 {
		if end := strings.Index(v[i:], ">"); end > 0 {
			return v[i+1 : i+end]
		}
	}
	return strings.TrimSpace(v)
}
