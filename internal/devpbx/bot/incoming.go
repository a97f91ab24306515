package bot

import (
	"context"
	"time"

	"github.com/emiago/sipgo/sip"
)

// route installs the bot's SIP handlers.
func (b *Bot) route() {
	b.server.OnInvite(func(req *sip.Request, tx sip.ServerTransaction) {
		if to := req.To(); to != nil && to.Params.Has("tag") {
			b.inDialog(req, tx)
			return
		}
		b.answer(req, tx)
	})
	for _, m := range []sip.RequestMethod{sip.ACK, sip.BYE, sip.INFO, sip.UPDATE, sip.OPTIONS, sip.MESSAGE, sip.NOTIFY, sip.REFER} {
		b.server.OnRequest(m, b.inDialog)
	}
	b.server.OnNoRoute(func(req *sip.Request, tx sip.ServerTransaction) {
		reply(tx, req, 501, "Not Implemented")
	})
}

// answer takes a new call to one of the bot's users: it rings for
// AnswerAfter, answers with pion's SDP and returns once the ACK came.
func (b *Bot) answer(req *sip.Request, tx sip.ServerTransaction) {
	user := req.Recipient.User
	mode, ok := Users[user]
	dua := b.duas[user]
	if !ok {
		reply(tx, req, 404, "Not Found")
		return
	}
	if len(req.Body()) == 0 {
		reply(tx, req, 488, "Not Acceptable Here (the bot needs an SDP offer)")
		return
	}
	ss, err := dua.ReadInvite(req, tx)
	if err != nil {
		reply(tx, req, 400, "Bad Request")
		return
	}
	caller := ""
	if f := req.From(); f != nil {
		caller = f.Address.User
	}
	c := newCall(b, b.answeredID(req.CallID().Value()), caller, mode, false)
	c.ss = ss
	b.add(c)
	c.publish("call", "")
	if err := ss.Respond(180, "Ringing", nil); err != nil {
		c.end("ringing failed: " + err.Error())
		return
	}
	select {
	case <-time.After(b.cfg.AnswerAfter):
	case <-ss.Context().Done():
		c.end("the caller gave up")
		return
	case <-b.ctx.Done():
		return
	}
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	m, err := newSession(mode == ModeEcho, c.addDigit)
	if err != nil {
		_ = ss.Respond(500, "Server Internal Error", nil)
		c.end("media: " + err.Error())
		return
	}
	c.mu.Lock()
	c.media = m
	c.mu.Unlock()
	sdp, err := m.Answer(ctx, string(req.Body()))
	if err != nil {
		_ = ss.Respond(488, "Not Acceptable Here", nil)
		c.end("cannot answer the offer: " + err.Error())
		return
	}
	if err := ss.RespondSDP([]byte(sdp)); err != nil {
		c.end("answer not acknowledged: " + err.Error())
		return
	}
	c.connected()
}

// inDialog handles requests inside a call: ACK, BYE, INFO (DTMF),
// re-INVITE and UPDATE (hold, resume), REFER and NOTIFY (transfer.go), OPTIONS.
func (b *Bot) inDialog(req *sip.Request, tx sip.ServerTransaction) {
	c, ok := b.legOf(req)
	if !ok {
		if !req.IsAck() {
			reply(tx, req, 481, "Call/Transaction Does Not Exist")
		}
		return
	}
	switch req.Method {
	case sip.ACK:
		if c.ss != nil && req.CSeq().SeqNo == c.ss.InviteRequest.CSeq().SeqNo {
			_ = c.ss.ReadAck(req, tx)
		}
	case sip.BYE:
		if c.outgoing {
			_ = c.cs.ReadBye(req, tx)
		} else {
			_ = c.ss.ReadBye(req, tx)
		}
		c.end("the other side hung up")
	case sip.INFO:
		ct := ""
		if h := req.ContentType(); h != nil {
			ct = h.Value()
		}
		d := digitFromInfo(ct, req.Body())
		if d == 0 {
			reply(tx, req, 415, "Unsupported Media Type")
			return
		}
		c.addDigit(d)
		reply(tx, req, 200, "OK")
	case sip.INVITE, sip.UPDATE:
		c.reOffer(req, tx)
	case sip.REFER:
		c.onRefer(req, tx)
	case sip.NOTIFY:
		c.onNotify(req, tx)
	default:
		reply(tx, req, 200, "OK")
	}
}

// reOffer answers a re-INVITE or UPDATE: with SDP it is applied to pion
// and answered per RFC 3264 (hold gets recvonly); without, 200 as is.
func (c *Call) reOffer(req *sip.Request, tx sip.ServerTransaction) {
	m := c.session()
	if m == nil || c.Ended() {
		reply(tx, req, 491, "Request Pending")
		return
	}
	if len(req.Body()) == 0 {
		reply(tx, req, 200, "OK")
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sdp, err := m.Answer(ctx, string(req.Body()))
	if err != nil {
		reply(tx, req, 488, "Not Acceptable Here")
		return
	}
	res := sip.NewSDPResponseFromRequest(req, []byte(sdp))
	contact := c.bot.Contact("bot")
	if !c.outgoing {
		contact = c.bot.Contact(c.ss.InviteRequest.Recipient.User)
	}
	res.AppendHeader(&sip.ContactHeader{Address: contact})
	if err := tx.Respond(res); err != nil {
		c.bot.log.Info("re-INVITE answer failed", "call", c.id, "error", err)
	}
	c.bot.log.Info("bot call re-offered", "call", c.id, "on hold", m.OnHold())
}

func reply(tx sip.ServerTransaction, req *sip.Request, code int, reason string) {
	_ = tx.Respond(sip.NewResponseFromRequest(req, code, reason, nil))
}
