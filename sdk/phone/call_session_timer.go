package phone

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/webphone/exotelsdk/sdk/clock"
	"github.com/webphone/exotelsdk/sdk/sipua"
)

// Session timers (RFC 4028): a call whose far end vanished without a BYE
// (a crashed phone, a lost NAT binding) is noticed and ended. One side, the
// refresher, re-sends the session (UPDATE, or re-INVITE when the far end
// does not allow UPDATE) every half interval; the other ends the call with
// a BYE when no refresh has come shortly before the interval runs out.

// sessionTimer is a call's negotiated timer; interval 0 means none.
type sessionTimer struct {
	interval  time.Duration
	weRefresh bool
	noUpdate  bool // the far end does not take UPDATE: refresh by re-INVITE
	timer     clock.Timer
}

// Header names in full and compact form (RFC 4028 §4, §5).
var (
	hdrSessionExpires = []string{"Session-Expires", "x"}
	hdrSupported      = []string{"Supported", "k"}
)

// sessionExpiresOf reads a message's Session-Expires: the interval and the
// refresher parameter ("uac", "uas" or "").
func sessionExpiresOf(m sip.Message) (time.Duration, string, bool) {
	h := firstHeader(m, hdrSessionExpires)
	if h == "" {
		return 0, "", false
	}
	parts := strings.Split(h, ";")
	secs, err := strconv.ParseUint(strings.TrimSpace(parts[0]), 10, 32)
	if err != nil || secs == 0 {
		return 0, "", false
	}
	refresher := ""
	for _, p := range parts[1:] {
		k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
		if strings.EqualFold(k, "refresher") {
			refresher = strings.ToLower(strings.TrimSpace(v))
		}
	}
	return time.Duration(secs) * time.Second, refresher, true
}

// minSEOf reads a message's Min-SE (in a 422 or a request).
func minSEOf(m sip.Message) time.Duration {
	secs, err := strconv.ParseUint(strings.TrimSpace(firstHeader(m, []string{"Min-SE"})), 10, 32)
	if err != nil {
		return 0
	}
	return time.Duration(secs) * time.Second
}

// listsOption tells whether a comma-separated header (Supported, Allow)
// names opt.
func listsOption(m sip.Message, names []string, opt string) bool {
	for _, name := range names {
		for _, h := range m.GetHeaders(name) {
			for _, v := range strings.Split(h.Value(), ",") {
				if strings.EqualFold(strings.TrimSpace(v), opt) {
					return true
				}
			}
		}
	}
	return false
}

func firstHeader(m sip.Message, names []string) string {
	for _, name := range names {
		if hs := m.GetHeaders(name); len(hs) > 0 {
			return hs[0].Value()
		}
	}
	return ""
}

func secondsText(d time.Duration) string { return strconv.Itoa(int(d / time.Second)) }

// offerSessionTimer adds ours to an outgoing INVITE: we support timers and
// ask for our interval, the far end (or the proxy) chooses the refresher.
func (p *Phone) offerSessionTimer(req *sip.Request, interval time.Duration) {
	if interval == 0 {
		return
	}
	req.RemoveHeader("Session-Expires")
	req.RemoveHeader("Min-SE")
	req.AppendHeader(sip.NewHeader("Supported", "timer"))
	req.AppendHeader(sip.NewHeader("Session-Expires", secondsText(interval)))
	if interval > minSessionExpires {
		req.AppendHeader(sip.NewHeader("Min-SE", secondsText(minSessionExpires)))
	}
}

// retryAfter422 tells the interval to ask again with after a 422 (Session
// Interval Too Small), or 0 when the 422 cannot be honoured.
func (p *Phone) retryAfter422(res *sip.Response, asked time.Duration) time.Duration {
	min := minSEOf(res)
	if asked == 0 || min <= asked || min > maxSessionExpires {
		return 0
	}
	return min
}

// tooSmallInterval answers an incoming INVITE whose Session-Expires is below
// our minimum with 422 and our Min-SE; it tells whether it did.
func (p *Phone) tooSmallInterval(req *sip.Request, reject func(*sip.Response)) bool {
	if p.limits.sessionExpires == 0 {
		return false
	}
	asked, _, ok := sessionExpiresOf(req)
	if !ok || asked >= minSessionExpires {
		return false
	}
	res := sipua.Respond(&p.id, req, 422, "Session Interval Too Small", sipua.NewTag(), nil, "")
	res.AppendHeader(sip.NewHeader("Min-SE", secondsText(minSessionExpires)))
	reject(res)
	return true
}

// answerSessionTimer chooses the timer of an incoming call (we are the UAS
// of its INVITE) and writes it into our 2xx.
func (c *Call) answerSessionTimer(invite *sip.Request, ok *sip.Response) {
	ours := c.p.limits.sessionExpires
	if ours == 0 {
		return
	}
	interval, refresher, asked := sessionExpiresOf(invite)
	if !asked {
		interval, refresher = ours, "uas"
	} else if interval > ours && ours >= minSEOf(invite) {
		interval = ours // a UAS may shorten the interval, not below the caller's Min-SE
	}
	if refresher == "" {
		refresher = "uas"
		if listsOption(invite, hdrSupported, "timer") {
			refresher = "uac"
		}
	}
	c.writeSessionTimer(ok, interval, refresher)
	c.mu.Lock()
	c.st.interval, c.st.weRefresh = interval, refresher == "uas"
	c.st.noUpdate = !listsOption(invite, []string{"Allow"}, "UPDATE")
	c.mu.Unlock()
}

// writeSessionTimer puts the negotiated timer into a 2xx we send.
func (c *Call) writeSessionTimer(res *sip.Response, interval time.Duration, refresher string) {
	res.AppendHeader(sip.NewHeader("Supported", "timer"))
	res.AppendHeader(sip.NewHeader("Session-Expires", secondsText(interval)+";refresher="+refresher))
	if refresher == "uac" {
		res.AppendHeader(sip.NewHeader("Require", "timer"))
	}
}

// acceptSessionTimer reads the timer from the 2xx to a request of ours (the
// INVITE, a re-INVITE or an UPDATE): we were that request's UAC.
func (c *Call) acceptSessionTimer(res *sip.Response, allow sip.Message) {
	if c.p.limits.sessionExpires == 0 {
		return
	}
	interval, refresher, ok := sessionExpiresOf(res)
	c.mu.Lock()
	if !ok {
		if c.st.interval == 0 {
			c.mu.Unlock()
			return // no timer was agreed (RFC 4028 §7.2)
		}
		interval = c.st.interval // a refresh answered without the header keeps the timer
		refresher = map[bool]string{true: "uac", false: "uas"}[c.st.weRefresh]
	}
	c.st.interval, c.st.weRefresh = interval, refresher != "uas"
	if allow != nil {
		c.st.noUpdate = !listsOption(allow, []string{"Allow"}, "UPDATE")
	}
	c.mu.Unlock()
	c.armSessionTimer()
}

// refreshedByFarEnd handles a re-INVITE or UPDATE of the far end (we are its
// UAS): it refreshes the session, and our 2xx states the timer again.
func (c *Call) refreshedByFarEnd(req *sip.Request, ok *sip.Response) {
	c.mu.Lock()
	active := c.st.interval > 0
	interval, weRefresh := c.st.interval, c.st.weRefresh
	c.mu.Unlock()
	asked, refresher, has := sessionExpiresOf(req)
	if !active && !has {
		return
	}
	if c.p.limits.sessionExpires == 0 {
		return
	}
	if has {
		interval = asked
		if refresher == "" {
			refresher = "uac"
		}
	} else {
		refresher = map[bool]string{true: "uas", false: "uac"}[weRefresh]
	}
	c.writeSessionTimer(ok, interval, refresher)
	c.mu.Lock()
	c.st.interval, c.st.weRefresh = interval, refresher == "uas"
	c.mu.Unlock()
	c.armSessionTimer()
}

// armSessionTimer (re)starts the timer of a connected call: our refresh at
// half the interval, or the BYE shortly before it ends (the smaller of 32 s
// and a third of the interval, RFC 4028 §10).
func (c *Call) armSessionTimer() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.st.timer != nil {
		c.st.timer.Stop()
		c.st.timer = nil
	}
	if c.ended || c.st.interval == 0 {
		return
	}
	if c.st.weRefresh {
		c.st.timer = c.p.deps.Clock.AfterFunc(c.st.interval/2, func() {
			c.log.Safely("session refresh", func() { c.ops.do(c.refreshSession) })
		})
		return
	}
	margin := c.st.interval / 3
	if margin > 32*time.Second {
		margin = 32 * time.Second
	}
	c.st.timer = c.p.deps.Clock.AfterFunc(c.st.interval-margin, func() {
		c.log.Safely("session expiry", c.sessionExpired)
	})
}

// sessionExpired ends a call whose far end stopped refreshing it.
func (c *Call) sessionExpired() {
	if c.Ended() {
		return
	}
	c.log.Warnf("call %s: no session refresh from the far end; hanging up", c.d.CallID)
	c.sendBye()
	c.end(StateTerminated, CauseNetwork, 0, "the session was not refreshed (RFC 4028 session timer)")
}

// stopSessionTimerLocked cancels the timer (the call ended); c.mu is held.
func (c *Call) stopSessionTimerLocked() {
	if c.st.timer != nil {
		c.st.timer.Stop()
		c.st.timer = nil
	}
}

// refreshSession runs on the call's queue: UPDATE without a body, or a
// re-INVITE with the current offer when the far end does not allow UPDATE.
func (c *Call) refreshSession() {
	if c.State() != StateConnected || c.Ended() {
		return
	}
	c.mu.Lock()
	noUpdate := c.st.noUpdate
	c.exchange = true
	c.mu.Unlock()
	defer c.exchangeDone()
	var err error
	if noUpdate {
		err = c.renegotiate(c.localDirection(), false) // reoffer reads the timer from the 2xx
	} else {
		err = c.updateSession()
	}
	if err != nil && !c.Ended() {
		c.log.Warnf("session refresh failed: %v; trying again", err)
		c.mu.Lock()
		c.st.timer = c.p.deps.Clock.AfterFunc(minSessionExpires/6, func() {
			c.log.Safely("session refresh", func() { c.ops.do(c.refreshSession) })
		})
		c.mu.Unlock()
	}
}

// updateSession sends one refreshing UPDATE and applies its answer.
func (c *Call) updateSession() error {
	c.mu.Lock()
	interval := c.st.interval
	c.mu.Unlock()
	for attempt := 0; attempt < 2; attempt++ {
		req := c.dialog.NewRequest(sip.UPDATE)
		c.addRefreshHeaders(req, interval)
		tx, err := c.p.ua.Request(req)
		if err != nil {
			return err
		}
		var res *sip.Response
		for r := range tx.Responses() {
			if r.StatusCode >= 200 {
				res = r
				break
			}
		}
		switch {
		case res == nil:
			return fmt.Errorf("UPDATE got no answer: %v", tx.Err())
		case res.IsSuccess():
			c.acceptSessionTimer(res, nil)
			return nil
		case res.StatusCode == 422 && minSEOf(res) > interval && minSEOf(res) <= maxSessionExpires:
			interval = minSEOf(res)
		case res.StatusCode == 481 || res.StatusCode == 408:
			c.end(StateTerminated, CauseNetwork, res.StatusCode, fmt.Sprintf("session refresh answered %d", res.StatusCode))
			return nil
		case res.StatusCode == 405 || res.StatusCode == 501:
			c.mu.Lock()
			c.st.noUpdate = true
			c.mu.Unlock()
			return c.renegotiate(c.localDirection(), false)
		default:
			return fmt.Errorf("UPDATE answered %d %s", res.StatusCode, res.Reason)
		}
	}
	return fmt.Errorf("UPDATE refused with 422 twice")
}

// addRefreshHeaders marks a re-INVITE or UPDATE of ours as a refresh of a
// call with session timers; the refresher stays who it was (uac: us, the
// sender of this request; uas: the far end).
func (c *Call) addRefreshHeaders(req *sip.Request, interval time.Duration) {
	if interval == 0 {
		return
	}
	c.mu.Lock()
	refresher := map[bool]string{true: "uac", false: "uas"}[c.st.weRefresh]
	c.mu.Unlock()
	req.AppendHeader(sip.NewHeader("Supported", "timer"))
	req.AppendHeader(sip.NewHeader("Session-Expires", secondsText(interval)+";refresher="+refresher))
}

// sessionInterval is the call's agreed interval, 0 without session timers.
func (c *Call) sessionInterval() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.st.interval
}
