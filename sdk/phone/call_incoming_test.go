package phone

import (
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/webphone/exotelsdk/sdk/media"
)

func TestIncomingInviteRingsWithDetails(t *testing.T) {
	f := newRegisteredFixture(t)
	fe := newFarEnd()
	f.conn.inject(fe.invite(farSDP(1, media.SendRecv), "X-Exotel-Callsid: sid-42", "X-Campaign: spring"))

	ringing := f.conn.nextResponse(t, 180) // the first response: no 100 Trying before it
	assert.NotEmpty(t, toTag(ringing))
	require.NotNil(t, ringing.Contact(), "180 carries our Contact")
	assert.Equal(t, fe.callID, ringing.CallID().Value())
	assert.Equal(t, []string{edgeRR, coreRR}, recordRoutes(ringing), "180 echoes the Record-Route")

	c := f.events.waitCall(t, StateIncoming)
	assert.Same(t, c, f.phone.CurrentCall())
	d := c.Details()
	assert.Equal(t, fe.callID, d.CallID)
	assert.Equal(t, "incoming", d.CallDirection)
	assert.Equal(t, string(StateIncoming), d.CallState)
	assert.Equal(t, "Carol", d.RemoteDisplayName)
	assert.Equal(t, "carol", d.RemoteID)
	assert.Equal(t, "sid-42", d.CallSid)
	assert.Equal(t, "spring", d.SipHeaders["X-Campaign"])
	assert.Equal(t, fe.callID, d.SipHeaders["Call-ID"])
	assert.Contains(t, d.SipHeaders["From"], "carol@example.test")
	assert.Equal(t, "application/sdp", d.SipHeaders["Content-Type"])
	f.events.callEventsSoon(t, StateIncoming)
}

func TestAnswerSendsTheMediaAnswerAndConnectsOnAck(t *testing.T) {
	f := newRegisteredFixture(t)
	fe := newFarEnd()
	offer := farSDP(1, media.SendRecv)
	c, ringing := f.ring(fe, offer)
	ok := f.answer(c, fe)

	sess := f.media.session(t, 0)
	ans := sess.waitOp(t, "Answer", 1)
	assert.Equal(t, offer, ans.In, "media Answer gets the INVITE's offer")
	assert.Equal(t, ans.Out, string(ok.Body()), "the 200 OK carries the media answer")
	assert.Equal(t, "application/sdp", header(ok, "Content-Type"))
	assert.Equal(t, toTag(ringing), toTag(ok), "180 and 200 carry the same To tag")
	require.NotNil(t, ok.Contact(), "200 carries our Contact")
	assert.Equal(t, ringing.Contact().Address.String(), ok.Contact().Address.String())
	assert.Equal(t, []string{edgeRR, coreRR}, recordRoutes(ok), "200 echoes the Record-Route")

	time.Sleep(50 * time.Millisecond)
	assert.Equal(t, []string{string(StateIncoming)}, f.events.callEvents(), "not connected before the ACK")
	assert.Equal(t, StateIncoming, c.State())

	f.conn.inject(fe.ack(fe.inviteCSeq, ""))
	f.events.callEventsSoon(t, StateIncoming, StateConnected)
	assert.Equal(t, StateConnected, c.State())
	assert.False(t, c.Details().CallEstablishedTime.IsZero())
	assert.Equal(t, []string{"Answer"}, sess.names(), "ACK without SDP touches no media")
}

func TestHangupBeforeAnswerRejectsWith486(t *testing.T) {
	f := newRegisteredFixture(t)
	fe := newFarEnd()
	c, ringing := f.ring(fe, farSDP(1, media.SendRecv))
	require.NoError(t, c.Hangup())

	busy := f.conn.nextResponse(t, 486)
	assert.Equal(t, toTag(ringing), toTag(busy), "the rejection keeps the 180's To tag")
	assert.Equal(t, sip.INVITE, busy.CSeq().MethodName)
	f.events.callEventsSoon(t, StateIncoming, StateCallEnded)
	assert.True(t, c.Ended())
	assert.Nil(t, f.phone.CurrentCall())
	assert.Error(t, c.Hangup(), "a second Hangup is refused")
	assert.Error(t, c.Answer(), "an ended call cannot be answered")
}

func TestHangupAfterAnswerSendsByeAlongTheRouteSet(t *testing.T) {
	f := newRegisteredFixture(t)
	fe := newFarEnd()
	c, sess := f.connectedIncoming(fe)
	require.NoError(t, c.Hangup())

	bye := f.conn.nextRequest(t, sip.BYE)
	assert.Equal(t, fe.contact, bye.Recipient.String(), "R-URI is the far end's Contact")
	assert.Equal(t, []string{edgeRR, coreRR}, routes(bye), "Route is the INVITE's Record-Route, in order")
	assert.Equal(t, fe.callID, bye.CallID().Value())
	assert.Equal(t, fe.ourTag, fromTag(bye), "From carries our tag")
	assert.Equal(t, fe.tag, toTag(bye), "To carries the far end's tag")
	assert.Equal(t, sip.BYE, bye.CSeq().MethodName)
	f.conn.inject(fe.reply(bye, 200, "OK", ""))

	f.events.callEventsSoon(t, StateIncoming, StateConnected, StateCallEnded)
	assert.Equal(t, "hung up", c.Details().CallEndReason)
	assert.Contains(t, sess.names(), "Close", "media is closed")
}

func TestFarEndByeTerminatesTheCall(t *testing.T) {
	f := newRegisteredFixture(t)
	fe := newFarEnd()
	c, sess := f.connectedIncoming(fe)
	f.conn.inject(fe.inDialog("BYE", "", ""))

	ok := f.conn.nextResponse(t, 200)
	assert.Equal(t, sip.BYE, ok.CSeq().MethodName)
	assert.Equal(t, fe.ourTag, toTag(ok))
	f.events.callEventsSoon(t, StateIncoming, StateConnected, StateTerminated)
	assert.True(t, c.Ended())
	assert.Contains(t, sess.names(), "Close")
	f.conn.quiet(t, 50*time.Millisecond)
}

func TestCancelWhileRingingTerminates(t *testing.T) {
	f := newRegisteredFixture(t)
	fe := newFarEnd()
	c, _ := f.ring(fe, farSDP(1, media.SendRecv))
	f.conn.inject(fe.cancel())

	okCancel := f.conn.nextResponse(t, 200)
	assert.Equal(t, sip.CANCEL, okCancel.CSeq().MethodName)
	terminated := f.conn.nextResponse(t, 487)
	assert.Equal(t, sip.INVITE, terminated.CSeq().MethodName)
	assert.Equal(t, fe.inviteBranch, branch(terminated))
	f.events.callEventsSoon(t, StateIncoming, StateTerminated, CallState(EventMissed))
	assert.True(t, c.Ended())
	assert.True(t, c.Missed())
	assert.Equal(t, CauseCanceled, c.Details().CallEndCause)
	assert.Equal(t, 487, c.Details().SipStatus)
	assert.Nil(t, f.phone.CurrentCall())
	assert.Error(t, c.Answer(), "a cancelled call cannot be answered")
}

// RFC 3261 §8.2.6.2: every response to a request but 100 carries the same To
// tag; the 487 after a CANCEL is a response to the INVITE like the 180.
func TestCancelWhileRinging487KeepsTheToTagOf180(t *testing.T) {
	f := newRegisteredFixture(t)
	fe := newFarEnd()
	_, ringing := f.ring(fe, farSDP(1, media.SendRecv))
	f.conn.inject(fe.cancel())
	f.conn.nextResponse(t, 200)
	terminated := f.conn.nextResponse(t, 487)
	assert.Equal(t, toTag(ringing), toTag(terminated), "487 and 180 must carry the same To tag")
}

// recordRoutes lists a response's Record-Route values in order.
func recordRoutes(res *sip.Response) []string {
	var out []string
	for _, h := range res.GetHeaders("Record-Route") {
		for _, v := range strings.Split(h.Value(), ",") {
			out = append(out, strings.TrimSpace(v))
		}
	}
	return out
}
