package phone

import (
	"runtime"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/webphone/exotelsdk/sdk/media"
)

func TestReinviteWithSendonlyOfferMarksTheCallRemotelyHeld(t *testing.T) {
	f := newRegisteredFixture(t)
	fe := newFarEnd()
	c, sess := f.connectedIncoming(fe)
	assert.False(t, c.Details().RemoteHeld)

	offer := farSDP(2, media.SendOnly)
	f.conn.inject(fe.inDialog("INVITE", offer, "application/sdp"))
	ok := f.conn.nextResponse(t, 200)
	assert.Equal(t, sip.INVITE, ok.CSeq().MethodName)
	assert.Equal(t, fe.cseq, ok.CSeq().SeqNo)
	assert.Equal(t, fe.ourTag, toTag(ok), "the dialog's To tag")
	require.NotNil(t, ok.Contact(), "2xx to a re-INVITE carries our Contact")
	assert.Equal(t, "application/sdp", header(ok, "Content-Type"))

	ans := sess.waitOp(t, "Answer", 2)
	assert.Equal(t, offer, ans.In, "media Answer gets the re-INVITE's offer")
	assert.Equal(t, ans.Out, string(ok.Body()))
	assert.Equal(t, media.RecvOnly, sdpDirection(string(ok.Body())))
	assert.True(t, c.Details().RemoteHeld)

	f.conn.inject(fe.ack(fe.cseq, ""))
	time.Sleep(50 * time.Millisecond) // the far end resumes a while later
	f.conn.inject(fe.inDialog("INVITE", farSDP(3, media.SendRecv), "application/sdp"))
	f.conn.nextResponse(t, 200)
	assert.False(t, c.Details().RemoteHeld, "a sendrecv offer resumes")
	f.conn.inject(fe.ack(fe.cseq, ""))
	f.events.callEventsSoon(t, StateIncoming, StateConnected)
}

// Once the ACK of a re-INVITE has arrived, the offer/answer is complete
// (RFC 3261 §14.2) and the next re-INVITE must be accepted, not met with 491.
// The two frames arrive back to back on one thread, as they do in the
// browser (js/wasm runs Go on a single thread).
func TestReinviteRightAfterTheAckOfThePreviousIsAccepted(t *testing.T) {
	f := newRegisteredFixture(t)
	fe := newFarEnd()
	c, _ := f.connectedIncoming(fe)
	f.conn.inject(fe.inDialog("INVITE", farSDP(2, media.SendOnly), "application/sdp"))
	f.conn.nextResponse(t, 200)

	ack, reinvite := fe.ack(fe.cseq, ""), fe.inDialog("INVITE", farSDP(3, media.SendRecv), "application/sdp")
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	f.conn.inject(ack)
	f.conn.inject(reinvite)
	f.conn.nextResponse(t, 200)
	assert.False(t, c.Details().RemoteHeld)
}

func TestReinviteWithoutSDPGetsOurOfferAndTheAckAnswersIt(t *testing.T) {
	f := newRegisteredFixture(t)
	fe := newFarEnd()
	_, sess := f.connectedIncoming(fe)

	f.conn.inject(fe.inDialog("INVITE", "", ""))
	ok := f.conn.nextResponse(t, 200)
	offer := sess.waitOp(t, "Offer", 1)
	assert.Equal(t, media.SendRecv, offer.Dir)
	assert.Equal(t, offer.Out, string(ok.Body()), "the 200 carries our offer")
	assert.Equal(t, "application/sdp", header(ok, "Content-Type"))

	answer := farSDP(2, media.SendRecv)
	f.conn.inject(fe.ack(fe.cseq, answer))
	acc := sess.waitOp(t, "Accept", 1)
	assert.Equal(t, answer, acc.In, "the ACK's SDP answers our offer")
	assert.False(t, acc.Provisional)
	f.events.callEventsSoon(t, StateIncoming, StateConnected)
}

func TestReinviteWhileOursIsPendingIs491(t *testing.T) {
	f := newRegisteredFixture(t)
	fe := newFarEnd()
	c, _ := f.connectedIncoming(fe)
	done := make(chan error, 1)
	go func() { done <- c.SetHold(true) }()
	ours := f.conn.nextRequest(t, sip.INVITE)

	f.conn.inject(fe.inDialog("INVITE", farSDP(2, media.SendRecv), "application/sdp"))
	f.conn.nextResponse(t, 491)

	f.conn.inject(fe.reply(ours, 200, "OK", farSDP(3, media.RecvOnly)))
	f.conn.nextRequest(t, sip.ACK)
	require.NoError(t, <-done)
}

func TestUnknownMethodInDialogIs501(t *testing.T) {
	for _, method := range []string{"MESSAGE", "SUBSCRIBE"} { // REFER: call_referred_test.go
		t.Run(method, func(t *testing.T) {
			f := newRegisteredFixture(t)
			fe := newFarEnd()
			c, _ := f.connectedIncoming(fe)
			f.conn.inject(fe.inDialog(method, "", ""))
			res := f.conn.nextResponse(t, 501)
			assert.Equal(t, sip.RequestMethod(method), res.CSeq().MethodName)
			assert.Equal(t, fe.ourTag, toTag(res))
			assert.Equal(t, StateConnected, c.State(), "the call goes on")
		})
	}
}

func TestInDialogInfoOptionsAndUpdate(t *testing.T) {
	f := newRegisteredFixture(t)
	fe := newFarEnd()
	f.connectedIncoming(fe)

	f.conn.inject(fe.inDialog("INFO", "Signal=1\r\nDuration=160\r\n", "application/dtmf-relay"))
	assert.Equal(t, sip.INFO, f.conn.nextResponse(t, 200).CSeq().MethodName)
	f.conn.inject(fe.inDialog("OPTIONS", "", ""))
	assert.Equal(t, sip.OPTIONS, f.conn.nextResponse(t, 200).CSeq().MethodName)
	f.conn.inject(fe.inDialog("UPDATE", "", ""))
	assert.Equal(t, sip.UPDATE, f.conn.nextResponse(t, 200).CSeq().MethodName)
	f.conn.inject(fe.inDialog("UPDATE", farSDP(2, media.SendRecv), "application/sdp"))
	assert.Equal(t, sip.UPDATE, f.conn.nextResponse(t, 488).CSeq().MethodName,
		"session changes come by re-INVITE only")
}

func TestLowerCSeqInDialogIs500(t *testing.T) {
	f := newRegisteredFixture(t)
	fe := newFarEnd()
	c, _ := f.connectedIncoming(fe)

	f.conn.inject(fe.inDialogSeq("INFO", fe.inviteCSeq-1, "", ""))
	res := f.conn.nextResponse(t, 500)
	assert.Equal(t, sip.INFO, res.CSeq().MethodName)

	f.conn.inject(fe.inDialog("INFO", "", ""))
	f.conn.nextResponse(t, 200)
	f.conn.inject(fe.inDialogSeq("BYE", fe.cseq-1, "", ""))
	assert.Equal(t, sip.BYE, f.conn.nextResponse(t, 500).CSeq().MethodName)
	assert.Equal(t, StateConnected, c.State(), "an out-of-order BYE does not end the call")
}

func TestAckRetransmissionIsIgnored(t *testing.T) {
	f := newRegisteredFixture(t)
	fe := newFarEnd()
	f.connectedIncoming(fe)
	f.conn.inject(fe.ack(fe.inviteCSeq, ""))
	f.conn.quiet(t, 50*time.Millisecond)
	f.events.callEventsSoon(t, StateIncoming, StateConnected)
}
