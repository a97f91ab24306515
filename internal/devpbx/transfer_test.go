package devpbx

import (
	"fmt"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/webphone/exotelsdk/internal/devpbx/bot"
)

// connectToBot calls the bot as p and returns the INVITE and its 200 (ACKed).
func connectToBot(t *testing.T, srv *Server, p *phone) (*sip.Request, *sip.Response) {
	t.Helper()
	inv, tx := p.invite("bot", offerSDP(t))
	ok := last(final(t, tx))
	require.Equal(t, 200, ok.StatusCode)
	require.NoError(t, p.client.WriteRequest(p.inDialog(sip.ACK, inv, ok, inv.CSeq().SeqNo)))
	call, found := srv.Bot().Call(inv.CallID().Value())
	require.True(t, found)
	require.Eventually(t, func() bool { return call.Info().State == "connected" }, 5*time.Second, 20*time.Millisecond)
	return inv, ok
}

// sipfrag is a NOTIFY's status line.
func sipfrag(req *sip.Request) string {
	line := string(req.Body())
	if i := len(line); i >= 2 && line[i-2:] == "\r\n" {
		return line[:i-2]
	}
	return line
}

// "bot, transfer me to bot2": the digit * makes the bot REFER the caller to
// bot2 (with Referred-By); the caller's NOTIFY of a 200 makes it hang up.
func TestBotTransfersTheCallerToBot2(t *testing.T) {
	srv := startServer(t, Config{})
	alice := newPhone(t, srv, "alice")
	alice.mustRegister()
	inv, ok := connectToBot(t, srv, alice)

	info := alice.inDialog(sip.INFO, inv, ok, inv.CSeq().SeqNo+1)
	info.AppendHeader(sip.NewHeader("Content-Type", "application/dtmf-relay"))
	info.SetBody([]byte("Signal=*\r\nDuration=160\r\n"))
	assert.Equal(t, 200, alice.do(info).StatusCode)

	refer := alice.next(sip.REFER)
	assert.Equal(t, "<sip:bot2@"+srv.Domain()+">", refer.req.GetHeader("Refer-To").Value())
	assert.Equal(t, "<sip:bot@"+srv.Domain()+">", refer.req.GetHeader("Referred-By").Value())
	refer.answer(t, sip.NewResponseFromRequest(refer.req, 202, "Accepted", nil))
	close(refer.done)

	notify := alice.inDialog(sip.NOTIFY, inv, ok, inv.CSeq().SeqNo+2)
	notify.AppendHeader(sip.NewHeader("Event", "refer"))
	notify.AppendHeader(sip.NewHeader("Subscription-State", "terminated;reason=noresource"))
	notify.AppendHeader(sip.NewHeader("Content-Type", "message/sipfrag;version=2.0"))
	notify.SetBody([]byte("SIP/2.0 200 OK\r\n"))
	assert.Equal(t, 200, alice.do(notify).StatusCode)
	bye := alice.next(sip.BYE)
	bye.answer(t, sip.NewResponseFromRequest(bye.req, 200, "OK", nil))
	close(bye.done)
}

// The caller transfers the bot to another user: 202, then the bot calls
// carol and NOTIFYs the caller of 100 Trying and carol's 200 OK.
func TestCallerTransfersTheBot(t *testing.T) {
	srv := startServer(t, Config{})
	alice, carol := newPhone(t, srv, "alice"), newPhone(t, srv, "carol")
	alice.mustRegister()
	carol.mustRegister()
	inv, ok := connectToBot(t, srv, alice)

	refer := alice.inDialog(sip.REFER, inv, ok, inv.CSeq().SeqNo+1)
	refer.AppendHeader(sip.NewHeader("Refer-To", "<sip:carol@"+srv.Domain()+">"))
	refer.AppendHeader(sip.NewHeader("Referred-By", "<sip:alice@"+srv.Domain()+">"))
	refer.AppendHeader(&sip.ContactHeader{Address: alice.contact})
	assert.Equal(t, 202, alice.do(refer).StatusCode)

	trying := alice.next(sip.NOTIFY)
	assert.Equal(t, "SIP/2.0 100 Trying", sipfrag(trying.req))
	assert.Equal(t, "active;expires=60", trying.req.GetHeader("Subscription-State").Value())
	assert.Equal(t, fmt.Sprintf("refer;id=%d", refer.CSeq().SeqNo), trying.req.GetHeader("Event").Value())
	trying.answer(t, sip.NewResponseFromRequest(trying.req, 200, "OK", nil))
	close(trying.done)

	in := carol.next(sip.INVITE)
	assert.Contains(t, in.req.From().DisplayName, "alice", "the bot says who transferred it")
	res := sip.NewSDPResponseFromRequest(in.req, []byte(answerSDP(t, string(in.req.Body()))))
	res.To().Params.Add("tag", sip.GenerateTagN(8))
	res.AppendHeader(&sip.ContactHeader{Address: carol.contact})
	in.answer(t, res)
	close(in.done)

	done := alice.next(sip.NOTIFY)
	assert.Equal(t, "SIP/2.0 200 OK", sipfrag(done.req))
	assert.Equal(t, "terminated;reason=noresource", done.req.GetHeader("Subscription-State").Value())
	done.answer(t, sip.NewResponseFromRequest(done.req, 200, "OK", nil))
	close(done.done)
}

// Transferred to one of its own users, the bot calls itself: both legs
// share a Call-ID and stay apart, and the caller hears of bot2's 200.
func TestCallerTransfersTheBotToBot2(t *testing.T) {
	srv := startServer(t, Config{})
	alice := newPhone(t, srv, "alice")
	alice.mustRegister()
	inv, ok := connectToBot(t, srv, alice)

	refer := alice.inDialog(sip.REFER, inv, ok, inv.CSeq().SeqNo+1)
	refer.AppendHeader(sip.NewHeader("Refer-To", "<sip:"+bot.TransferTarget+"@"+srv.Domain()+">"))
	refer.AppendHeader(&sip.ContactHeader{Address: alice.contact})
	assert.Equal(t, 202, alice.do(refer).StatusCode)
	for _, want := range []string{"SIP/2.0 100 Trying", "SIP/2.0 200 OK"} {
		n := alice.next(sip.NOTIFY)
		assert.Equal(t, want, sipfrag(n.req))
		n.answer(t, sip.NewResponseFromRequest(n.req, 200, "OK", nil))
		close(n.done)
	}
	// The answered leg is up once the bot's ACK reaches it, which may be
	// just after the 200 OK the NOTIFY reported.
	assert.Eventually(t, func() bool {
		var placed, answered bool
		for _, c := range srv.Bot().Calls() {
			placed = placed || (c.User == bot.TransferTarget && c.Direction == "outgoing" && c.State == "connected")
			answered = answered || (c.User == "bot" && c.Direction == "incoming" && c.State == "connected")
		}
		return placed && answered
	}, 5*time.Second, 10*time.Millisecond, "both legs of the bot's call to bot2 are up: %+v", srv.Bot().Calls())
}
