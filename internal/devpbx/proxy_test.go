package devpbx

import (
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/webphone/exotelsdk/internal/devpbx/bot"
)

// A phone over WebSocket calls the bot: the proxy routes the INVITE to the
// bot's UDP socket with two Record-Routes (WebSocket side and UDP side),
// the bot answers, and ACK, INFO (DTMF) and BYE find their way through the
// proxy by the bot's Contact.
func TestPhoneCallsBot(t *testing.T) {
	srv := startServer(t, Config{})
	alice := newPhone(t, srv, "alice")
	alice.mustRegister()

	inv, tx := alice.invite("bot", offerSDP(t))
	responses := final(t, tx)
	ok := responses[len(responses)-1]
	require.Equal(t, 200, ok.StatusCode, "the bot answers")
	assert.Equal(t, 180, responses[0].StatusCode, "and rings first")
	assert.Contains(t, string(ok.Body()), "PCMU")
	rr := ok.GetHeaders("Record-Route")
	require.Len(t, rr, 2, "the transport changes (WS to UDP): two Record-Routes")
	assert.Contains(t, rr[1].Value(), "transport=ws", "the caller's side of the route is the WebSocket")
	assert.Equal(t, "bot", ok.Contact().Address.User)

	require.NoError(t, alice.client.WriteRequest(alice.inDialog(sip.ACK, inv, ok, inv.CSeq().SeqNo)))
	call, found := srv.Bot().Call(inv.CallID().Value())
	require.True(t, found)
	require.Eventually(t, func() bool { return call.Info().State == "connected" }, 5*time.Second, 20*time.Millisecond)

	for i, digit := range []string{"5", "#"} {
		info := alice.inDialog(sip.INFO, inv, ok, inv.CSeq().SeqNo+uint32(1+i))
		info.AppendHeader(sip.NewHeader("Content-Type", "application/dtmf-relay"))
		info.SetBody([]byte("Signal=" + digit + "\r\nDuration=160\r\n"))
		assert.Equal(t, 200, alice.do(info).StatusCode)
	}
	assert.Equal(t, "5#", call.Digits(), "the bot heard the digits")

	assert.Equal(t, 200, alice.do(alice.inDialog(sip.BYE, inv, ok, inv.CSeq().SeqNo+3)).StatusCode)
	select {
	case <-call.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the bot's call did not end on BYE")
	}
}

// The bot calls a registered phone: the INVITE reaches the phone over its
// WebSocket at its .invalid Contact with the display name the API was
// given; the phone answers, the bot's ACK comes back through the proxy,
// and the phone's BYE ends the bot's call.
func TestBotCallsPhone(t *testing.T) {
	srv := startServer(t, Config{})
	alice := newPhone(t, srv, "alice")
	alice.mustRegister()

	call, err := srv.Bot().Dial("alice", "<img src=x onerror=alert(1)>")
	require.NoError(t, err)
	in := alice.next(sip.INVITE)
	assert.Equal(t, alice.contact.Host, in.req.Recipient.Host, "sent to the registered contact")
	assert.Equal(t, "<img src=x onerror=alert(1)>", in.req.From().DisplayName)
	rr := in.req.GetHeaders("Record-Route")
	require.Len(t, rr, 2)
	assert.Contains(t, rr[0].Value(), "transport=ws", "the phone's first route is the WebSocket side")

	in.answer(t, sip.NewResponseFromRequest(in.req, 180, "Ringing", nil))
	ok := sip.NewSDPResponseFromRequest(in.req, []byte(answerSDP(t, string(in.req.Body()))))
	ok.AppendHeader(&sip.ContactHeader{Address: alice.contact})
	in.answer(t, ok)
	close(in.done)
	ack := alice.next(sip.ACK)
	assert.Equal(t, in.req.CallID().Value(), ack.req.CallID().Value())
	require.Eventually(t, func() bool { return call.Info().State == "connected" }, 5*time.Second, 20*time.Millisecond)

	// The phone hangs up, as the callee, along the route the INVITE recorded.
	bye := sip.NewRequest(sip.BYE, *in.req.Contact().Address.Clone())
	for _, h := range rr {
		bye.AppendHeader(sip.NewHeader("Route", h.Value()))
	}
	from, to := ok.To().AsFrom(), in.req.From().AsTo()
	bye.AppendHeader(&from)
	bye.AppendHeader(&to)
	bye.AppendHeader(sip.HeaderClone(in.req.CallID()))
	bye.AppendHeader(&sip.CSeqHeader{SeqNo: 1, MethodName: sip.BYE})
	alice.toServer(bye)
	assert.Equal(t, 200, alice.do(bye).StatusCode)
	select {
	case <-call.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the bot's call did not end on BYE")
	}
	assert.Equal(t, "the other side hung up", call.Info().Reason)
}

// A call whose other side goes silent (a tab closed without BYE) is ended
// by the bot: its BYE reaches the phone through the proxy, by the phone's
// Contact over the phone's WebSocket.
func TestBotHangsUpSilentCall(t *testing.T) {
	srv := startServer(t, Config{Bot: bot.Config{MediaTimeout: time.Second}})
	alice := newPhone(t, srv, "alice")
	alice.mustRegister()
	call, err := srv.Bot().Dial("alice", "")
	require.NoError(t, err)
	in := alice.next(sip.INVITE)
	ok := sip.NewSDPResponseFromRequest(in.req, []byte(answerSDP(t, string(in.req.Body()))))
	ok.AppendHeader(&sip.ContactHeader{Address: alice.contact})
	in.answer(t, ok)
	close(in.done)
	alice.next(sip.ACK)

	bye := alice.next(sip.BYE)
	assert.Equal(t, alice.contact.Host, bye.req.Recipient.Host)
	bye.answer(t, sip.NewResponseFromRequest(bye.req, 200, "OK", nil))
	close(bye.done)
	<-call.Done()
	assert.Equal(t, "no audio from the other side", call.Info().Reason)
}
