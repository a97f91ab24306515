package phone

import (
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/webphone/exotelsdk/sdk/media"
)

// expectCancel checks that the phone's next message is the CANCEL of inv
// (RFC 3261 §9.1: same R-URI, branch, Call-ID, From, To and CSeq number).
func expectCancel(t *testing.T, f *fixture, inv *sip.Request) *sip.Request {
	t.Helper()
	cancel := f.conn.nextRequest(t, sip.CANCEL)
	assert.Equal(t, inv.Recipient.String(), cancel.Recipient.String())
	assert.Equal(t, branch(inv), branch(cancel), "CANCEL has the INVITE's branch")
	assert.Equal(t, inv.CSeq().SeqNo, cancel.CSeq().SeqNo, "CANCEL has the INVITE's CSeq number")
	assert.Equal(t, sip.CANCEL, cancel.CSeq().MethodName)
	assert.Equal(t, inv.CallID().Value(), cancel.CallID().Value())
	assert.Equal(t, fromTag(inv), fromTag(cancel))
	assert.Empty(t, toTag(cancel))
	assert.Empty(t, cancel.Body())
	return cancel
}

// finishCancel is the far end accepting a CANCEL: 200 to it and 487 to the
// INVITE, which the phone ACKs within the INVITE transaction.
func finishCancel(t *testing.T, f *fixture, fe *farEnd, inv, cancel *sip.Request) {
	t.Helper()
	f.conn.inject(fe.reply(cancel, 200, "OK", ""))
	f.conn.inject(fe.reply(inv, 487, "Request Terminated", ""))
	ack := f.conn.nextRequest(t, sip.ACK)
	assert.Equal(t, branch(inv), branch(ack))
}

func TestHangupWhileRingingSendsCancel(t *testing.T) {
	f := newRegisteredFixture(t)
	c, inv := f.dial(CallOptions{})
	fe := calleeOf(inv)
	f.conn.inject(fe.reply(inv, 180, "Ringing", ""))
	f.events.waitCall(t, StateRinging)

	require.NoError(t, c.Hangup())
	cancel := expectCancel(t, f, inv)
	finishCancel(t, f, fe, inv, cancel)

	f.events.callEventsSoon(t, StateRinging, StateCallEnded)
	assert.Equal(t, "canceled", c.Details().CallEndReason)
	assert.Nil(t, f.phone.CurrentCall())
	f.conn.quiet(t, 50*time.Millisecond)
}

func TestHangupAfterAuthenticationCancelsTheAuthenticatedInvite(t *testing.T) {
	f := newRegisteredFixture(t)
	c, first := f.dial(CallOptions{})
	fe := calleeOf(first)
	f.conn.inject(proxyChallenge(fe, first))
	f.conn.nextRequest(t, sip.ACK)
	inv := f.conn.nextRequest(t, sip.INVITE)
	f.conn.inject(fe.reply(inv, 180, "Ringing", ""))
	f.events.waitCall(t, StateRinging)

	require.NoError(t, c.Hangup())
	cancel := expectCancel(t, f, inv)
	finishCancel(t, f, fe, inv, cancel)
	f.events.callEventsSoon(t, StateRinging, StateCallEnded)
}

// RFC 3261 §9.1: a CANCEL may not be sent before a provisional response; the
// phone must send it as soon as one arrives.
func TestHangupBeforeAnyProvisionalCancelsOnTheFirst180(t *testing.T) {
	f := newRegisteredFixture(t)
	c, inv := f.dial(CallOptions{})
	fe := calleeOf(inv)
	time.Sleep(50 * time.Millisecond) // the user gives up a moment after dialling

	require.NoError(t, c.Hangup())
	f.events.callEventsSoon(t, StateCallEnded)
	f.conn.quiet(t, 50*time.Millisecond) // no CANCEL before a provisional response

	f.conn.inject(fe.reply(inv, 180, "Ringing", ""))
	cancel := expectCancel(t, f, inv)
	finishCancel(t, f, fe, inv, cancel)
	f.events.callEventsSoon(t, StateCallEnded)
}

// The same, with Hangup racing the INVITE: MakeCall returns and the app hangs
// up at once, before the INVITE has even left.
func TestHangupRightAfterMakeCallCancelsOnTheFirst180(t *testing.T) {
	f := newRegisteredFixture(t)
	c, err := f.phone.MakeCall("bob", CallOptions{})
	require.NoError(t, err)
	require.NoError(t, c.Hangup())
	f.events.callEventsSoon(t, StateCallEnded)

	select {
	case m := <-f.conn.out:
		inv, ok := m.(*sip.Request)
		require.True(t, ok && inv.Method == sip.INVITE, "want INVITE, got %s", m)
		fe := calleeOf(inv)
		f.conn.inject(fe.reply(inv, 180, "Ringing", ""))
		cancel := expectCancel(t, f, inv)
		finishCancel(t, f, fe, inv, cancel)
	case <-time.After(100 * time.Millisecond):
		// The call ended before its INVITE was sent: nothing to cancel.
	}
	f.events.callEventsSoon(t, StateCallEnded)
}

func TestAnswerAfterCancelIsAckedThenHungUp(t *testing.T) {
	f := newRegisteredFixture(t)
	c, inv := f.dial(CallOptions{})
	fe := calleeOf(inv)
	f.conn.inject(fe.reply(inv, 180, "Ringing", ""))
	f.events.waitCall(t, StateRinging)
	require.NoError(t, c.Hangup())
	cancel := expectCancel(t, f, inv)

	// The callee answered before the CANCEL reached it.
	f.conn.inject(fe.reply(inv, 200, "OK", farSDP(1, media.SendRecv)))
	f.conn.inject(fe.reply(cancel, 481, "Call/Transaction Does Not Exist", ""))
	ack := f.conn.nextRequest(t, sip.ACK)
	assert.Equal(t, inv.CSeq().SeqNo, ack.CSeq().SeqNo)
	assert.NotEqual(t, branch(inv), branch(ack))
	assert.Equal(t, fe.tag, toTag(ack))
	bye := f.conn.nextRequest(t, sip.BYE)
	assert.Equal(t, fe.contact, bye.Recipient.String())
	assert.Equal(t, []string{edgeRR, coreRR}, routes(bye))
	assert.Equal(t, fe.tag, toTag(bye))
	assert.Equal(t, inv.CSeq().SeqNo+1, bye.CSeq().SeqNo)
	f.conn.inject(fe.reply(bye, 200, "OK", ""))

	f.events.callEventsSoon(t, StateRinging, StateCallEnded)
	assert.Empty(t, f.media.session(t, 0).named("Accept"), "the late answer is not applied")
}
