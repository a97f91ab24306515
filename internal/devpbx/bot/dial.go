package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// DefaultDisplayName is the From display name of the calls the bot places.
const DefaultDisplayName = "Call bot"

// Dial calls user (at the bot's domain, through the proxy) and returns the
// call at once; it rings for up to RingFor, and once answered the bot
// plays its chime and reads back digits. displayName is the From display
// name ("" for DefaultDisplayName); it must not contain quotes, backslashes
// or line breaks.
func (b *Bot) Dial(user, displayName string) (*Call, error) {
	if user == "" || strings.ContainsAny(user, "@:;<>\"\\ \r\n") {
		return nil, fmt.Errorf("bot: bad user %q", user)
	}
	if displayName == "" {
		displayName = DefaultDisplayName
	}
	if strings.ContainsAny(displayName, "\"\\\r\n") || len(displayName) > 200 {
		return nil, fmt.Errorf("bot: a display name cannot contain quotes, backslashes or line breaks")
	}
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	callID := sip.CallIDHeader(sip.GenerateTagN(24))
	c := newCall(b, callID.Value(), user, ModeTone, true)
	m, err := newSession(false, c.addDigit)
	if err != nil {
		return nil, err
	}
	offer, err := m.Offer(ctx)
	if err != nil {
		m.Close()
		return nil, err
	}
	target := sip.Uri{Scheme: "sip", User: user, Host: b.cfg.Domain}
	req := sip.NewRequest(sip.INVITE, target)
	req.SetDestination(b.cfg.Proxy)
	from := &sip.FromHeader{DisplayName: displayName, Address: sip.Uri{Scheme: "sip", User: "bot", Host: b.cfg.Domain}, Params: sip.NewParams()}
	from.Params.Add("tag", sip.GenerateTagN(10))
	req.AppendHeader(from)
	req.AppendHeader(&sip.ToHeader{Address: target, Params: sip.NewParams()})
	req.AppendHeader(&callID)
	req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	req.AppendHeader(sip.NewHeader("Allow", "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE, REFER, NOTIFY"))
	req.SetBody([]byte(offer))

	ringCtx, stopRing := context.WithTimeout(b.ctx, b.cfg.RingFor)
	b.markPlacing(callID.Value(), true)
	defer b.markPlacing(callID.Value(), false)
	sess, err := b.duas["bot"].WriteInvite(ringCtx, req)
	if err != nil {
		stopRing()
		m.Close()
		return nil, fmt.Errorf("bot: INVITE: %w", err)
	}
	c.cs, c.media, c.stopRing = sess, m, stopRing
	b.add(c)
	c.publish("call", "")
	go c.waitAnswer(ringCtx)
	return c, nil
}

// waitAnswer follows the INVITE to its outcome.
func (c *Call) waitAnswer(ctx context.Context) {
	defer c.stopRing()
	err := c.cs.WaitAnswer(ctx, sipgo.AnswerOptions{})
	var refused *sipgo.ErrDialogResponse
	switch {
	case err == nil:
		res := c.cs.InviteResponse
		if err := c.media.AcceptAnswer(string(res.Body())); err != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = c.cs.Ack(ctx)
			_ = c.cs.Bye(ctx)
			c.end("bad answer: " + err.Error())
			return
		}
		if err := c.cs.Ack(context.Background()); err != nil {
			c.end("ACK failed: " + err.Error())
			return
		}
		c.connected()
	case errors.As(err, &refused):
		c.end(fmt.Sprintf("%d %s", refused.Res.StatusCode, refused.Res.Reason))
	case ctx.Err() != nil:
		c.end("no answer")
	default:
		c.end("failed: " + err.Error())
	}
}
