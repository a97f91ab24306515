package phone

import (
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/webphone/exotelsdk/sdk/media"
)

// timerFixture is a registered phone whose account asks session timers of
// interval seconds (0: off).
func timerFixture(t *testing.T, interval float64) *fixture {
	acct := testAccountInfo()
	acct.SessionExpires = &interval
	return newRegisteredFixtureFor(t, acct)
}

func TestOutgoingCallOffersSessionTimersAndRefreshesByUpdate(t *testing.T) {
	f := timerFixture(t, 120)
	c, inv := f.dial(CallOptions{})
	assert.Equal(t, "120", header(inv, "Session-Expires"))
	assert.Equal(t, "90", header(inv, "Min-SE"))
	assert.True(t, listsOption(inv, hdrSupported, "timer"), "Supported: timer")

	fe := calleeOf(inv)
	f.conn.inject(fe.reply(inv, 200, "OK", farSDP(1, media.SendRecv),
		"Session-Expires: 100;refresher=uac", "Require: timer", "Allow: INVITE, ACK, BYE, CANCEL, UPDATE"))
	f.conn.nextRequest(t, sip.ACK)
	f.events.waitCall(t, StateConnected)

	f.clock.Advance(49 * time.Second)
	f.conn.quiet(t, 20*time.Millisecond)
	f.clock.Advance(time.Second) // half of the agreed 100 s
	upd := f.conn.nextRequest(t, sip.UPDATE)
	assert.Equal(t, "100;refresher=uac", header(upd, "Session-Expires"))
	assert.Empty(t, upd.Body(), "a refresh by UPDATE carries no offer")
	assert.Equal(t, fe.callID, upd.CallID().Value())
	f.conn.inject(fe.reply(upd, 200, "OK", "", "Session-Expires: 100;refresher=uac"))
	require.Eventually(t, func() bool { return len(f.clock.Pending()) > 0 && containsDuration(f.clock.Pending(), 50*time.Second) },
		waitFor, time.Millisecond, "the next refresh is armed for half the interval")
	assert.Equal(t, StateConnected, c.State())
}

func TestOutgoingCallRefreshesByReinviteWithoutUpdate(t *testing.T) {
	f := timerFixture(t, 90)
	_, inv := f.dial(CallOptions{})
	fe := calleeOf(inv)
	f.conn.inject(fe.reply(inv, 200, "OK", farSDP(1, media.SendRecv),
		"Session-Expires: 90;refresher=uac", "Allow: INVITE, ACK, BYE, CANCEL"))
	f.conn.nextRequest(t, sip.ACK)
	f.events.waitCall(t, StateConnected)

	f.clock.Advance(45 * time.Second)
	re := f.conn.nextRequest(t, sip.INVITE)
	assert.Equal(t, "90;refresher=uac", header(re, "Session-Expires"))
	assert.Equal(t, media.SendRecv, sdpDirection(string(re.Body())), "the refresh re-offers the session as it is")
	f.conn.inject(fe.reply(re, 200, "OK", farSDP(2, media.SendRecv), "Session-Expires: 90;refresher=uac"))
	f.conn.nextRequest(t, sip.ACK)
}

func TestOutgoingCallHonours422(t *testing.T) {
	f := timerFixture(t, 90)
	_, inv := f.dial(CallOptions{})
	fe := calleeOf(inv)
	f.conn.inject(fe.reply(inv, 422, "Session Interval Too Small", "", "Min-SE: 300"))
	f.conn.nextRequest(t, sip.ACK)
	again := f.conn.nextRequest(t, sip.INVITE)
	assert.EqualValues(t, 2, again.CSeq().SeqNo)
	assert.Equal(t, "300", header(again, "Session-Expires"))
	assert.Equal(t, inv.CallID().Value(), again.CallID().Value())
}

func TestIncomingCallWhoseCallerStopsRefreshingIsEndedWithBye(t *testing.T) {
	f := timerFixture(t, 1800)
	fe := newFarEnd()
	c, _ := f.ring(fe, farSDP(1, media.SendRecv), "Supported: timer", "Session-Expires: 90")
	ok := f.answer(c, fe)
	assert.Equal(t, "90;refresher=uac", header(ok, "Session-Expires"), "a caller that supports timers refreshes")
	assert.Equal(t, "timer", header(ok, "Require"))
	f.conn.inject(fe.ack(fe.inviteCSeq, ""))
	f.events.waitCall(t, StateConnected)

	// A refresh by UPDATE keeps the call: the expiry starts again.
	f.clock.Advance(40 * time.Second)
	f.conn.inject(fe.inDialog("UPDATE", "", "", "Session-Expires: 90;refresher=uac"))
	res := f.conn.nextResponse(t, 200)
	assert.Equal(t, "90;refresher=uac", header(res, "Session-Expires"))
	f.clock.Advance(40 * time.Second)
	f.conn.quiet(t, 20*time.Millisecond)
	assert.Equal(t, StateConnected, c.State())

	// No refresh: 90 - 30 s after the last one, the call is ended.
	f.clock.Advance(20 * time.Second)
	bye := f.conn.nextRequest(t, sip.BYE)
	assert.Equal(t, fe.callID, bye.CallID().Value())
	f.events.waitCall(t, StateTerminated)
	assert.Equal(t, CauseNetwork, c.Details().CallEndCause)
}

func TestIncomingCallWithoutTimerOfTheCallerIsRefreshedByUs(t *testing.T) {
	f := timerFixture(t, 90)
	fe := newFarEnd()
	c, _ := f.ring(fe, farSDP(1, media.SendRecv), "Allow: INVITE, ACK, BYE, CANCEL, UPDATE")
	ok := f.answer(c, fe)
	assert.Equal(t, "90;refresher=uas", header(ok, "Session-Expires"))
	assert.Empty(t, header(ok, "Require"), "a caller without timers is not required to have them")
	f.conn.inject(fe.ack(fe.inviteCSeq, ""))
	f.events.waitCall(t, StateConnected)
	f.clock.Advance(45 * time.Second)
	upd := f.conn.nextRequest(t, sip.UPDATE)
	assert.Equal(t, "90;refresher=uac", header(upd, "Session-Expires"))
}

func TestIncomingIntervalBelowOurMinimumGets422(t *testing.T) {
	f := timerFixture(t, 1800)
	fe := newFarEnd()
	f.conn.inject(fe.invite(farSDP(1, media.SendRecv), "Supported: timer", "Session-Expires: 30"))
	res := f.conn.nextResponse(t, 422)
	assert.Equal(t, "90", header(res, "Min-SE"))
	assert.Empty(t, f.phone.Calls())
}

func TestSessionTimersOff(t *testing.T) {
	f := timerFixture(t, 0)
	_, inv := f.dial(CallOptions{})
	assert.Empty(t, header(inv, "Session-Expires"))
	assert.False(t, listsOption(inv, hdrSupported, "timer"))
	fe := calleeOf(inv)
	f.conn.inject(fe.reply(inv, 200, "OK", farSDP(1, media.SendRecv), "Session-Expires: 90;refresher=uac"))
	f.conn.nextRequest(t, sip.ACK)
	f.events.waitCall(t, StateConnected)
	f.clock.Advance(10 * time.Minute)
	f.conn.quiet(t, 20*time.Millisecond)
}

func containsDuration(list []time.Duration, d time.Duration) bool {
	for _, x := range list {
		if x == d {
			return true
		}
	}
	return false
}

// A call whose media never connects (an answer with addresses nobody can
// reach) is ended as media-failed with a BYE, not left up and silent.
func TestConnectedCallWhoseMediaNeverConnectsIsEnded(t *testing.T) {
	f := newRegisteredFixture(t)
	f.media.mu.Lock()
	f.media.noICE = true
	f.media.mu.Unlock()
	c, fe, _ := f.connectedOutgoing()
	f.clock.Advance(mediaStartTimeout - time.Second)
	f.conn.quiet(t, 20*time.Millisecond)
	f.clock.Advance(time.Second)
	bye := f.conn.nextRequest(t, sip.BYE)
	assert.Equal(t, fe.callID, bye.CallID().Value())
	f.events.waitCall(t, StateCallEnded)
	assert.Equal(t, CauseMediaFailed, c.Details().CallEndCause)
	assert.Contains(t, c.Details().CallEndReason, "no media")
}
