package bot

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/emiago/sipgo/sip"
)

// Transfers, so that the demo can show them without an account:
//   - "bot, transfer me to bot2": the digit TransferDigit in a call to
//     "bot" makes the bot REFER the caller to TransferTarget (RFC 3515); once
//     the caller's NOTIFY says bot2 answered, the bot hangs up.
//   - the caller transfers the bot: a REFER from the caller makes the bot
//     call the Refer-To user (another demo tab, or bot2) and report that
//     call's progress in NOTIFYs (message/sipfrag); the caller then hangs up.
const (
	TransferDigit  = '*'
	TransferTarget = "bot2"
)

// transferWait bounds the bot's wait for the outcome of a transfer.
const transferWait = 60 * time.Second

// request sends a request inside the call's dialog and returns its final response.
func (c *Call) request(ctx context.Context, method sip.RequestMethod, body string, headers ...sip.Header) (*sip.Response, error) {
	var target sip.Uri
	if c.outgoing {
		target = c.cs.InviteResponse.Contact().Address
	} else {
		target = c.ss.InviteRequest.Contact().Address
	}
	req := sip.NewRequest(method, target)
	for _, h := range headers {
		req.AppendHeader(h)
	}
	if body != "" {
		req.SetBody([]byte(body))
	}
	if c.outgoing {
		return c.cs.Do(ctx, req)
	}
	return c.ss.Do(ctx, req)
}

// transferCaller REFERs the caller to user at the bot's domain.
func (c *Call) transferCaller(user string) {
	c.mu.Lock()
	busy := c.state != StateConnected || c.referring
	c.referring = !busy
	c.mu.Unlock()
	if busy {
		return
	}
	ctx, cancel := context.WithTimeout(c.bot.ctx, 10*time.Second)
	defer cancel()
	res, err := c.request(ctx, sip.REFER, "",
		sip.NewHeader("Refer-To", fmt.Sprintf("<sip:%s@%s>", user, c.bot.cfg.Domain)),
		sip.NewHeader("Referred-By", fmt.Sprintf("<sip:bot@%s>", c.bot.cfg.Domain)))
	if err == nil && !res.IsSuccess() {
		err = fmt.Errorf("%d %s", res.StatusCode, res.Reason)
	}
	if err != nil {
		c.bot.log.Info("bot transfer refused", "call", c.id, "error", err)
		c.mu.Lock()
		c.referring = false
		c.mu.Unlock()
		return
	}
	c.bot.log.Info("bot transfers the caller", "call", c.id, "to", user)
}

// onNotify follows the caller's NOTIFYs about our REFER: a 2xx means the
// caller reached the target, and the bot hangs up.
func (c *Call) onNotify(req *sip.Request, tx sip.ServerTransaction) {
	reply(tx, req, 200, "OK")
	code := sipfragCode(req.Body())
	c.mu.Lock()
	referring := c.referring
	if code >= 200 {
		c.referring = false
	}
	c.mu.Unlock()
	if !referring || code < 200 {
		return
	}
	if code < 300 {
		c.hangup("transferred to " + TransferTarget)
		return
	}
	c.bot.log.Info("bot transfer failed", "call", c.id, "status", code)
}

// onRefer carries out the caller's REFER: 202, then a call from the bot to
// the Refer-To user, whose progress goes back in NOTIFYs.
func (c *Call) onRefer(req *sip.Request, tx sip.ServerTransaction) {
	user, err := referUser(req, c.bot.cfg.Domain)
	if err != nil {
		reply(tx, req, 400, err.Error())
		return
	}
	reply(tx, req, 202, "Accepted")
	event := "refer;id=" + strconv.Itoa(int(req.CSeq().SeqNo))
	go func() {
		c.notify(event, 100, "Trying")
		next, err := c.bot.Dial(user, "Transferred by "+c.user)
		if err != nil {
			c.notify(event, 503, "Service Unavailable")
			return
		}
		code, reason := next.outcome()
		c.notify(event, code, reason)
	}()
}

// outcome waits until a call the bot placed is answered or ends: the
// sipfrag status to report for it.
func (c *Call) outcome() (int, string) {
	deadline := time.After(transferWait)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-c.done:
			code, reason, ok := strings.Cut(c.Info().Reason, " ")
			if n, err := strconv.Atoi(code); ok && err == nil && n >= 300 {
				return n, reason
			}
			return 487, "Request Terminated"
		case <-deadline:
			return 408, "Request Timeout"
		case <-tick.C:
			if c.Info().State == StateConnected {
				return 200, "OK"
			}
		}
	}
}

// notify sends one NOTIFY of a REFER's progress; the final one ends the subscription.
func (c *Call) notify(event string, code int, reason string) {
	state := "active;expires=60"
	if code >= 200 {
		state = "terminated;reason=noresource"
	}
	ctx, cancel := context.WithTimeout(c.bot.ctx, 10*time.Second)
	defer cancel()
	_, err := c.request(ctx, sip.NOTIFY, fmt.Sprintf("SIP/2.0 %d %s\r\n", code, reason),
		sip.NewHeader("Event", event), sip.NewHeader("Subscription-State", state),
		sip.NewHeader("Content-Type", "message/sipfrag;version=2.0"))
	if err != nil {
		c.bot.log.Info("bot NOTIFY failed", "call", c.id, "error", err)
	}
}

// referUser is the user of a REFER's Refer-To at our domain.
func referUser(req *sip.Request, domain string) (string, error) {
	h := req.GetHeader("Refer-To")
	if h == nil {
		return "", fmt.Errorf("no Refer-To")
	}
	v := strings.TrimSpace(h.Value())
	if i := strings.Index(v, "<"); i >= 0 {
		v = strings.TrimSuffix(v[i+1:], ">")
	}
	v, _, _ = strings.Cut(v, "?")
	var u sip.Uri
	if err := sip.ParseUri(v, &u); err != nil || u.User == "" {
		return "", fmt.Errorf("bad Refer-To")
	}
	user, err := url.PathUnescape(u.User)
	if err != nil || (u.Host != domain && u.Host != "") {
		return "", fmt.Errorf("Refer-To outside %s", domain)
	}
	return user, nil
}

// sipfragCode is the status code of a message/sipfrag body, 0 if none.
func sipfragCode(body []byte) int {
	f := strings.Fields(string(body))
	if len(f) < 2 || !strings.HasPrefix(f[0], "SIP/") {
		return 0
	}
	n, _ := strconv.Atoi(f[1])
	return n
}

// selfLeg marks the answered leg of a call the bot placed to one of its own
// users (a transfer to bot2): both legs have the same Call-ID.
const selfLeg = "#answered"

// answeredID is the key of a call the bot answers: its Call-ID, or with
// selfLeg when the bot placed that call itself.
func (b *Bot) answeredID(callID string) string {
	b.mu.Lock()
	placing := b.placing[callID]
	b.mu.Unlock()
	if prev, ok := b.Call(callID); placing || (ok && prev.outgoing) {
		return callID + selfLeg
	}
	return callID
}

// markPlacing notes (on) or forgets (off) an INVITE being sent.
func (b *Bot) markPlacing(callID string, on bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if on {
		b.placing[callID] = true
	} else {
		delete(b.placing, callID)
	}
}

// legOf is the call an in-dialog request is for. Of a call to itself the
// bot's placed leg gets the requests whose To tag is its own From tag.
func (b *Bot) legOf(req *sip.Request) (*Call, bool) {
	c, ok := b.Call(req.CallID().Value())
	if !ok || !c.outgoing {
		return c, ok
	}
	if answered, self := b.Call(req.CallID().Value() + selfLeg); self {
		toTag, _ := req.To().Params.Get("tag")
		if fromTag, _ := c.cs.InviteRequest.From().Params.Get("tag"); toTag != fromTag {
			return answered, true
		}
	}
	return c, true
}
