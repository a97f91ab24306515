package phone

import (
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/webphone/exotelsdk/sdk/media"
)

// setHoldAsync runs c.SetHold(hold) in the background; SetHold waits for the
// far end's answer, which the test gives through the fake connection.
func setHoldAsync(c *Call, hold bool) <-chan error {
	done := make(chan error, 1)
	go func() { done <- c.SetHold(hold) }()
	return done
}

// result waits for a background SetHold to return.
func result(t *testing.T, done <-chan error) error {
	t.Helper()
	select {
	case err := <-done:
		return err
	case <-time.After(waitFor):
		t.Fatal("SetHold did not return")
		return nil
	}
}

// expectReinvite checks a re-INVITE of the phone within fe's dialog and returns it.
func expectReinvite(t *testing.T, f *fixture, fe *farEnd, cseq uint32) *sip.Request {
	t.Helper()
	req := f.conn.nextRequest(t, sip.INVITE)
	assert.Equal(t, fe.contact, req.Recipient.String(), "R-URI is the far end's Contact")
	assert.Equal(t, []string{edgeRR, coreRR}, routes(req))
	assert.Equal(t, fe.ourTag, fromTag(req))
	assert.Equal(t, fe.tag, toTag(req))
	assert.Equal(t, fe.callID, req.CallID().Value())
	assert.Equal(t, cseq, req.CSeq().SeqNo)
	assert.Equal(t, "application/sdp", header(req, "Content-Type"))
	assert.NotNil(t, req.Contact(), "a re-INVITE carries our Contact")
	return req
}

// expectAck checks the ACK of the phone for the 2xx to invite.
func expectAck(t *testing.T, f *fixture, invite *sip.Request) *sip.Request {
	t.Helper()
	ack := f.conn.nextRequest(t, sip.ACK)
	assert.Equal(t, invite.CSeq().SeqNo, ack.CSeq().SeqNo, "ACK has the INVITE's CSeq number")
	assert.Equal(t, sip.ACK, ack.CSeq().MethodName)
	assert.NotEqual(t, branch(invite), branch(ack), "ACK for a 2xx is a new transaction")
	assert.Equal(t, routes(invite), routes(ack))
	assert.Equal(t, invite.CallID().Value(), ack.CallID().Value())
	return ack
}

func TestHoldAndResumeByReinvite(t *testing.T) {
	f := newRegisteredFixture(t)
	fe := newFarEnd()
	c, sess := f.connectedIncoming(fe)

	done := setHoldAsync(c, true)
	hold := expectReinvite(t, f, fe, 1)
	offer := sess.waitOp(t, "Offer", 1)
	assert.Equal(t, media.SendOnly, offer.Dir)
	assert.False(t, offer.ICERestart)
	assert.Equal(t, offer.Out, string(hold.Body()), "the re-INVITE carries the media offer")
	assert.False(t, c.Held(), "not held before the answer")

	answer := farSDP(2, media.RecvOnly)
	f.conn.inject(fe.reply(hold, 200, "OK", answer))
	expectAck(t, f, hold)
	require.NoError(t, result(t, done))
	assert.True(t, c.Held())
	assert.True(t, c.Details().Held)
	acc := sess.waitOp(t, "Accept", 1)
	assert.Equal(t, answer, acc.In)
	assert.False(t, acc.Provisional)

	done = setHoldAsync(c, false)
	resume := expectReinvite(t, f, fe, 2)
	offer = sess.waitOp(t, "Offer", 2)
	assert.Equal(t, media.SendRecv, offer.Dir)
	assert.Equal(t, offer.Out, string(resume.Body()))
	f.conn.inject(fe.reply(resume, 200, "OK", farSDP(3, media.SendRecv)))
	expectAck(t, f, resume)
	require.NoError(t, result(t, done))
	assert.False(t, c.Held())
	assert.Empty(t, sess.named("Rollback"))
	f.events.callEventsSoon(t, StateIncoming, StateConnected)
}

func TestHoldRefusedWith491RollsBack(t *testing.T) {
	f := newRegisteredFixture(t)
	fe := newFarEnd()
	c, sess := f.connectedIncoming(fe)

	done := setHoldAsync(c, true)
	hold := expectReinvite(t, f, fe, 1)
	f.conn.inject(fe.reply(hold, 491, "Request Pending", ""))
	ack := f.conn.nextRequest(t, sip.ACK)
	assert.Equal(t, branch(hold), branch(ack), "ACK for a non-2xx is part of the INVITE transaction")
	err := result(t, done)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "491")
	assert.False(t, c.Held(), "Held unchanged")
	sess.waitOp(t, "Rollback", 1)
	assert.Empty(t, sess.named("Accept"))
	assert.Equal(t, StateConnected, c.State(), "the call goes on")

	done = setHoldAsync(c, true)
	again := expectReinvite(t, f, fe, 2)
	f.conn.inject(fe.reply(again, 200, "OK", farSDP(2, media.RecvOnly)))
	expectAck(t, f, again)
	require.NoError(t, result(t, done), "holding works after a refused attempt")
	assert.True(t, c.Held())
}

// A hold and a resume asked while a re-INVITE of ours is pending run one
// after the other on the call's queue: the second offer is made only once the
// first exchange is complete (ACKed), never on top of it.
func TestSetHoldWhileAReinviteIsPendingWaitsItsTurn(t *testing.T) {
	f := newRegisteredFixture(t)
	fe := newFarEnd()
	c, sess := f.connectedIncoming(fe)

	done := setHoldAsync(c, true)
	hold := expectReinvite(t, f, fe, 1)
	resume := setHoldAsync(c, false)
	f.conn.quiet(t, 30*time.Millisecond)
	assert.Len(t, sess.named("Offer"), 1, "no second offer while the first is pending")

	f.conn.inject(fe.reply(hold, 200, "OK", farSDP(2, media.RecvOnly)))
	expectAck(t, f, hold)
	require.NoError(t, result(t, done))
	again := expectReinvite(t, f, fe, 2)
	assert.Equal(t, media.SendRecv, sdpDirection(string(again.Body())))
	f.conn.inject(fe.reply(again, 200, "OK", farSDP(3, media.SendRecv)))
	expectAck(t, f, again)
	require.NoError(t, result(t, resume))
	assert.False(t, c.Held())
	assert.Equal(t, []string{"Answer", "SetHeld", "Offer", "Accept", "Offer", "Accept", "SetHeld"}, sess.names(),
		"each offer is answered before the next is made; hold silences the media first")
}

// A hold asked while the far end's re-INVITE waits for its ACK goes out
// after the ACK, not before (and not as glare).
func TestSetHoldWhileTheFarEndsReinviteIsPendingWaitsForTheAck(t *testing.T) {
	f := newRegisteredFixture(t)
	fe := newFarEnd()
	c, _ := f.connectedIncoming(fe)
	f.conn.inject(fe.inDialog("INVITE", farSDP(2, media.SendRecv), "application/sdp"))
	f.conn.nextResponse(t, 200)
	done := setHoldAsync(c, true)
	f.conn.quiet(t, 30*time.Millisecond)
	f.conn.inject(fe.ack(fe.cseq, ""))
	hold := expectReinvite(t, f, fe, 1)
	assert.Equal(t, media.SendOnly, sdpDirection(string(hold.Body())))
	f.conn.inject(fe.reply(hold, 200, "OK", farSDP(3, media.RecvOnly)))
	expectAck(t, f, hold)
	require.NoError(t, result(t, done))
	assert.True(t, c.Held())
}

func TestSetHoldNeedsAConnectedCall(t *testing.T) {
	f := newRegisteredFixture(t)
	c, _ := f.ring(newFarEnd(), farSDP(1, media.SendRecv))
	assert.Error(t, c.SetHold(true))
	assert.False(t, c.Held())
}
