package phone

import (
	"slices"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/webphone/exotelsdk/sdk/media"
)

// Without an ACK our 200 OK is resent at T1, 2·T1, … capped at T2 (RFC 3261
// §13.3.1.4), and after 64·T1 the call ends with a BYE — all on the
// phone's clock, so no test waits 32 s.
func TestA200WithoutAckIsResentThenTheCallEnds(t *testing.T) {
	f := newRegisteredFixture(t)
	fe := newFarEnd()
	c, _ := f.ring(fe, farSDP(1, media.SendRecv))
	ok := f.answer(c, fe)
	var elapsed time.Duration
	for i, d := range []time.Duration{sip.T1, 2 * sip.T1, 4 * sip.T1, sip.T2, sip.T2} {
		require.Eventually(t, func() bool { return slices.Contains(f.clock.Pending(), d) }, waitFor, time.Millisecond,
			"a resend planned in %s (pending %v)", d, f.clock.Pending())
		f.clock.Advance(d)
		elapsed += d
		require.Eventually(t, func() bool { return len(oksSent(f, ok)) == i+2 }, waitFor, time.Millisecond,
			"resend %d after %s", i+1, elapsed)
	}
	assert.Equal(t, StateIncoming, c.State(), "not connected without the ACK")

	f.clock.Advance(64*sip.T1 - elapsed)
	for {
		m := f.conn.next(t)
		if req, isReq := m.(*sip.Request); isReq {
			assert.Equal(t, sip.BYE, req.Method, "after 64·T1 the call is hung up")
			break
		}
	}
	require.Eventually(t, c.Ended, waitFor, time.Millisecond)
	assert.Equal(t, CauseNetwork, c.Details().CallEndCause)
}

// The ACK stops the resends: nothing more is sent when time moves on.
func TestAnAckStopsTheResends(t *testing.T) {
	f := newRegisteredFixture(t)
	fe := newFarEnd()
	c, _ := f.ring(fe, farSDP(1, media.SendRecv))
	f.answer(c, fe)
	f.conn.inject(fe.ack(fe.inviteCSeq, ""))
	f.events.callEventsSoon(t, StateIncoming, StateConnected)
	for _, d := range f.clock.Pending() {
		assert.Greater(t, d, 64*sip.T1, "no resend or give-up timer left after the ACK: %v", f.clock.Pending())
	}
	assert.Equal(t, StateConnected, c.State())
}

// oksSent are the copies of our 200 OK to the INVITE that were sent.
func oksSent(f *fixture, ok *sip.Response) []*sip.Response {
	var out []*sip.Response
	for _, m := range f.conn.all() {
		if r, isRes := m.(*sip.Response); isRes && r.StatusCode == 200 && r.CSeq().SeqNo == ok.CSeq().SeqNo && r.CSeq().MethodName == sip.INVITE {
			out = append(out, r)
		}
	}
	return out
}

// Media that stays disconnected for iceGrace gets an ICE restart
// (re-INVITE); media that reconnects within it does not. Timed on the
// phone's clock.
func TestDisconnectedMediaRestartsICEAfterTheGrace(t *testing.T) {
	f := newRegisteredFixture(t)
	fe := newFarEnd()
	c, sess := f.connectedIncoming(fe)
	sess.mu.Lock()
	report := sess.onState
	sess.mu.Unlock()
	require.NotNil(t, report)

	report("disconnected")
	report("connected") // back within the grace: nothing to do
	f.clock.Advance(iceGrace)
	report("disconnected")
	require.Eventually(t, func() bool { return slices.Contains(f.clock.Pending(), iceGrace) }, waitFor, time.Millisecond)
	f.clock.Advance(iceGrace)
	req := expectReinvite(t, f, fe, 1)
	assert.NotEmpty(t, req.Body(), "the restart offers fresh ICE credentials")
	f.conn.inject(fe.reply(req, 200, "OK", farSDP(2, media.SendRecv)))
	expectAck(t, f, req)
	require.Eventually(t, func() bool { return c.Details().ICERestarts == 1 }, waitFor, time.Millisecond)
	assert.Len(t, sentRequests(f.conn, sip.INVITE), 1, "one restart: the disconnection that healed in time caused none")
}
