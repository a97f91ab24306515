package phone

import (
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/webphone/exotelsdk/sdk/media"
)

// nextRequests takes the next n messages, all requests, by method (their
// order is not the test's business).
func nextRequests(t *testing.T, f *fixture, n int) map[sip.RequestMethod]*sip.Request {
	t.Helper()
	out := map[sip.RequestMethod]*sip.Request{}
	for i := 0; i < n; i++ {
		req, ok := f.conn.next(t).(*sip.Request)
		require.True(t, ok, "want a request")
		out[req.Method] = req
	}
	return out
}

// expectProgressNotify checks a NOTIFY of ours about the far end's REFER.
func expectProgressNotify(t *testing.T, req *sip.Request, line, state string) {
	t.Helper()
	require.NotNil(t, req, "a NOTIFY")
	assert.Equal(t, line+"\r\n", string(req.Body()))
	assert.Equal(t, "message/sipfrag;version=2.0", header(req, "Content-Type"))
	assert.Equal(t, "refer;id=102", header(req, "Event"))
	assert.Equal(t, state, header(req, "Subscription-State"))
}

func TestBeingTransferredCallsTheTargetWithReplacesAndNotifies(t *testing.T) {
	f, _ := manyCalls(t, 1) // the default: the transfer still gets its new call
	carol := newFarEnd()
	old, _ := f.connectedIncoming(carol)

	f.conn.inject(carol.inDialog("REFER", "", "",
		"Refer-To: <sip:dave@example.test?Replaces=abc%40h.test%3Bto-tag%3Dt1%3Bfrom-tag%3Df1>",
		"Referred-By: <sip:carol@example.test>"))
	f.conn.nextResponse(t, 202)
	reqs := nextRequests(t, f, 2) // the NOTIFY 100, the hold of the old call
	expectProgressNotify(t, reqs[sip.NOTIFY], "SIP/2.0 100 Trying", "active;expires=60")
	f.conn.inject(carol.reply(reqs[sip.NOTIFY], 200, "OK", ""))
	hold := reqs[sip.INVITE]
	require.NotNil(t, hold)
	f.conn.inject(carol.reply(hold, 200, "OK", farSDP(2, media.RecvOnly)))
	expectAck(t, f, hold)

	inv := f.conn.nextRequest(t, sip.INVITE)
	assert.Equal(t, "sip:dave@example.test", inv.Recipient.String())
	assert.Equal(t, "abc@h.test;to-tag=t1;from-tag=f1", header(inv, "Replaces"))
	assert.Equal(t, "<sip:carol@example.test>", header(inv, "Referred-By"))
	dave := calleeOf(inv)
	f.conn.inject(dave.reply(inv, 180, "Ringing", ""))
	notify := f.conn.nextRequest(t, sip.NOTIFY)
	expectProgressNotify(t, notify, "SIP/2.0 180 Ringing", "active;expires=60")
	f.conn.inject(carol.reply(notify, 200, "OK", ""))
	f.conn.inject(dave.reply(inv, 200, "OK", farSDP(1, media.SendRecv)))
	reqs = nextRequests(t, f, 2)
	require.NotNil(t, reqs[sip.ACK])
	expectProgressNotify(t, reqs[sip.NOTIFY], "SIP/2.0 200 OK", "terminated;reason=noresource")
	var next *Call
	require.Eventually(t, func() bool {
		for _, c := range f.phone.Calls() {
			if c != old && c.State() == StateConnected {
				next = c
				return true
			}
		}
		return false
	}, waitFor, 2*time.Millisecond, "the new call connects")
	assert.Equal(t, "sip:carol@example.test", next.Details().ReferredBy)

	f.conn.inject(carol.inDialog("BYE", "", "")) // the transferor hangs up
	f.conn.nextResponse(t, 200)
	waitEventOf(t, f, old, string(StateTerminated))
	assert.Equal(t, CauseTransferred, old.Details().CallEndCause)
	assert.False(t, next.Ended())
}

func TestBeingTransferredToABusyTargetNotifiesTheFailure(t *testing.T) {
	f, _ := manyCalls(t, 2)
	carol := newFarEnd()
	old, _ := f.connectedIncoming(carol)
	f.conn.inject(carol.inDialog("REFER", "", "", "Refer-To: sip:dave@example.test"))
	f.conn.nextResponse(t, 202)
	reqs := nextRequests(t, f, 2)
	f.conn.inject(carol.reply(reqs[sip.NOTIFY], 200, "OK", ""))
	f.conn.inject(carol.reply(reqs[sip.INVITE], 200, "OK", farSDP(2, media.RecvOnly)))
	expectAck(t, f, reqs[sip.INVITE])
	inv := f.conn.nextRequest(t, sip.INVITE)
	assert.Equal(t, "<sip:carol@example.test>", header(inv, "Referred-By"), "from the REFER's From when it has none")
	f.conn.inject(calleeOf(inv).reply(inv, 486, "Busy Here", ""))
	reqs = nextRequests(t, f, 2)
	require.NotNil(t, reqs[sip.ACK])
	expectProgressNotify(t, reqs[sip.NOTIFY], "SIP/2.0 486 Busy Here", "terminated;reason=noresource")
	assert.False(t, old.Ended(), "the old call stays (held) for the transferor to take back")
}

func TestRefuseTransfersAnswers603(t *testing.T) {
	acct := testAccountInfo()
	acct.RefuseTransfers = true
	f := newRegisteredFixtureFor(t, acct)
	carol := newFarEnd()
	c, _ := f.connectedIncoming(carol)
	f.conn.inject(carol.inDialog("REFER", "", "", "Refer-To: <sip:dave@example.test>"))
	f.conn.nextResponse(t, 603)
	f.conn.quiet(t, 50*time.Millisecond)
	assert.Equal(t, StateConnected, c.State())
}

func TestMalformedReferToAnswers400(t *testing.T) {
	f := newRegisteredFixture(t)
	carol := newFarEnd()
	f.connectedIncoming(carol)
	f.conn.inject(carol.inDialog("REFER", "", "", "Refer-To: <mailto:dave@example.test>"))
	f.conn.nextResponse(t, 400)
	f.conn.inject(carol.inDialog("REFER", "", ""))
	f.conn.nextResponse(t, 400)
	f.conn.quiet(t, 50*time.Millisecond)
}

func TestInviteWithReplacesTakesTheCallsPlaceAtOnce(t *testing.T) {
	f := newRegisteredFixture(t)
	carol := newFarEnd()
	old, _ := f.connectedIncoming(carol)

	dave := newFarEnd()
	f.conn.inject(dave.invite(farSDP(1, media.SendRecv),
		"Replaces: "+carol.callID+";to-tag="+carol.ourTag+";from-tag="+carol.tag,
		"Referred-By: <sip:carol@example.test>"))
	f.conn.nextResponse(t, 100)
	ok := f.conn.nextResponse(t, 200) // no 180: answered at once
	dave.learn(ok)
	f.conn.inject(dave.ack(dave.inviteCSeq, ""))
	bye := f.conn.nextRequest(t, sip.BYE)
	assert.Equal(t, carol.callID, bye.CallID().Value(), "the replaced call is hung up")
	waitEventOf(t, f, old, string(StateTerminated))
	assert.Equal(t, CauseReplaced, old.Details().CallEndCause)
	calls := f.phone.Calls()
	require.Len(t, calls, 1)
	assert.Equal(t, []string{"connected"}, callEventsOf(f, calls[0]), "no incoming, no ringing")
	assert.Equal(t, "sip:carol@example.test", calls[0].Details().ReferredBy)
}

func TestInviteWithReplacesOfNoCallOfOurs(t *testing.T) {
	f, _ := manyCalls(t, 2)
	carol := newFarEnd()
	f.connectedIncoming(carol)
	for _, tc := range []struct {
		replaces string
		code     int
	}{
		{"unknown@h;to-tag=a;from-tag=b", 481},
		{carol.callID + ";to-tag=" + carol.tag + ";from-tag=" + carol.ourTag, 481}, // tags swapped
		{carol.callID + ";to-tag=" + carol.ourTag + ";from-tag=" + carol.tag + ";early-only", 486},
		{"no-tags@h", 400},
	} {
		dave := newFarEnd()
		f.conn.inject(dave.invite(farSDP(1, media.SendRecv), "Replaces: "+tc.replaces))
		res := f.conn.nextResponse(t, tc.code)
		assert.Equal(t, dave.callID, res.CallID().Value())
	}
	assert.Len(t, f.phone.Calls(), 1)

	// A call still ringing here is an early dialog we did not start: 481.
	erin := newFarEnd()
	ringing, _ := f.ring(erin, farSDP(1, media.SendRecv))
	dave := newFarEnd()
	f.conn.inject(dave.invite(farSDP(1, media.SendRecv), "Replaces: "+erin.callID+";to-tag="+erin.ourTag+";from-tag="+erin.tag))
	f.conn.nextResponse(t, 481)
	assert.False(t, ringing.Ended())
}
