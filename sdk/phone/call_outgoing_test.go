package phone

import (
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/webphone/exotelsdk/sdk/media"
)

// dial makes a call to bob and returns it with its first INVITE.
func (f *fixture) dial(opts CallOptions) (*Call, *sip.Request) {
	t := f.t
	t.Helper()
	c, err := f.phone.MakeCall("bob", opts)
	require.NoError(t, err)
	return c, f.conn.nextRequest(t, sip.INVITE)
}

// calleeOf is the far end of an outgoing call, as seen in the phone's INVITE.
func calleeOf(invite *sip.Request) *farEnd {
	fe := newFarEnd()
	fe.callID, fe.uri, fe.name = invite.CallID().Value(), "sip:bob@example.test", "Bob"
	fe.contact = "sip:bob@198.51.100.8:5070;transport=ws"
	fe.ourTag = fromTag(invite)
	fe.ourURI = invite.From().Address.String()
	fe.target = invite.Contact().Address.String()
	return fe
}

// proxyChallenge is a 407 to req with a Digest challenge of the proxy.
func proxyChallenge(fe *farEnd, req *sip.Request) string {
	return fe.reply(req, 407, "Proxy Authentication Required", "",
		`Proxy-Authenticate: Digest realm="example.test", nonce="pn1", qop="auth", algorithm=MD5`)
}

func TestMakeCallSendsTheOfferInAnInvite(t *testing.T) {
	f := newRegisteredFixture(t)
	c, inv := f.dial(CallOptions{Headers: map[string]string{"X-Campaign": "spring", "X-Agent": "7"}})

	assert.Equal(t, "sip:bob@example.test", inv.Recipient.String())
	assert.Equal(t, "sip:bob@example.test", inv.To().Address.String())
	assert.Empty(t, toTag(inv))
	assert.Equal(t, "sip:alice@example.test", inv.From().Address.String())
	assert.NotEmpty(t, fromTag(inv))
	assert.EqualValues(t, 1, inv.CSeq().SeqNo)
	require.NotNil(t, inv.Contact())
	assert.Equal(t, "application/sdp", header(inv, "Content-Type"))
	assert.Equal(t, "spring", header(inv, "X-Campaign"))
	assert.Equal(t, "7", header(inv, "X-Agent"))
	assert.Equal(t, "WSS", inv.Via().Transport)

	sess := f.media.session(t, 0)
	offer := sess.waitOp(t, "Offer", 1)
	assert.Equal(t, media.SendRecv, offer.Dir)
	assert.Equal(t, offer.Out, string(inv.Body()))

	d := c.Details()
	assert.Equal(t, inv.CallID().Value(), d.CallID)
	assert.Equal(t, "outgoing", d.CallDirection)
	assert.Equal(t, "bob", d.RemoteID)
	assert.Equal(t, StateCalling, c.State())
	assert.Same(t, c, f.phone.CurrentCall())
}

func TestOutgoingCallAuthenticatesRingsAndConnects(t *testing.T) {
	f := newRegisteredFixture(t)
	c, first := f.dial(CallOptions{Headers: map[string]string{"X-Campaign": "spring"}})
	fe := calleeOf(first)
	sess := f.media.session(t, 0)

	f.conn.inject(proxyChallenge(fe, first))
	ack407 := f.conn.nextRequest(t, sip.ACK)
	assert.Equal(t, branch(first), branch(ack407), "the 407 is ACKed in its transaction")
	inv := f.conn.nextRequest(t, sip.INVITE)
	assert.True(t, checkDigest(t, header(inv, "Proxy-Authorization"), "INVITE", testPassword))
	p := authParams(header(inv, "Proxy-Authorization"))
	assert.Equal(t, "sip:bob@example.test", p["uri"])
	assert.Equal(t, "alice", p["username"])
	assert.Equal(t, "pn1", p["nonce"])
	assert.Equal(t, first.CSeq().SeqNo+1, inv.CSeq().SeqNo)
	assert.Equal(t, first.CallID().Value(), inv.CallID().Value())
	assert.Equal(t, fromTag(first), fromTag(inv))
	assert.NotEqual(t, branch(first), branch(inv))
	assert.Equal(t, first.Body(), inv.Body(), "the same offer")
	assert.Equal(t, "spring", header(inv, "X-Campaign"))
	assert.Len(t, sess.named("Offer"), 1, "no new offer for the retry")

	f.conn.inject(fe.reply(inv, 100, "Trying", ""))
	f.conn.inject(fe.reply(inv, 180, "Ringing", ""))
	f.events.waitCall(t, StateRinging)
	early := farSDP(1, media.SendRecv)
	f.conn.inject(fe.reply(inv, 183, "Session Progress", early))
	acc := sess.waitOp(t, "Accept", 1)
	assert.Equal(t, early, acc.In)
	assert.True(t, acc.Provisional, "18x SDP is a provisional answer")

	final := farSDP(2, media.SendRecv)
	f.conn.inject(fe.reply(inv, 200, "OK", final))
	ack := f.conn.nextRequest(t, sip.ACK)
	assert.Equal(t, fe.contact, ack.Recipient.String(), "ACK goes to the 200's Contact")
	assert.Equal(t, []string{edgeRR, coreRR}, routes(ack), "Route is the 200's Record-Route reversed")
	assert.Equal(t, inv.CSeq().SeqNo, ack.CSeq().SeqNo, "ACK has the INVITE's CSeq number")
	assert.NotEqual(t, branch(inv), branch(ack), "ACK for a 2xx has a new branch")
	assert.Equal(t, fe.tag, toTag(ack))
	acc = sess.waitOp(t, "Accept", 2)
	assert.Equal(t, final, acc.In)
	assert.False(t, acc.Provisional)

	f.events.callEventsSoon(t, StateRinging, StateConnected)
	assert.Equal(t, StateConnected, c.State())

	require.NoError(t, c.Hangup())
	bye := f.conn.nextRequest(t, sip.BYE)
	assert.Equal(t, fe.contact, bye.Recipient.String())
	assert.Equal(t, []string{edgeRR, coreRR}, routes(bye))
	assert.Equal(t, inv.CSeq().SeqNo+1, bye.CSeq().SeqNo)
	f.conn.inject(fe.reply(bye, 200, "OK", ""))
	f.events.callEventsSoon(t, StateRinging, StateConnected, StateCallEnded)
}

// RFC 3261 §13.2.2.4: "The ACK MUST contain the same credentials as the INVITE."
func TestAckForAuthenticatedInviteCarriesItsCredentials(t *testing.T) {
	f := newRegisteredFixture(t)
	_, first := f.dial(CallOptions{})
	fe := calleeOf(first)
	f.conn.inject(proxyChallenge(fe, first))
	f.conn.nextRequest(t, sip.ACK)
	inv := f.conn.nextRequest(t, sip.INVITE)
	f.conn.inject(fe.reply(inv, 200, "OK", farSDP(1, media.SendRecv)))
	ack := f.conn.nextRequest(t, sip.ACK)
	assert.Equal(t, header(inv, "Proxy-Authorization"), header(ack, "Proxy-Authorization"))
}

func TestOutgoingCallBusyEnds(t *testing.T) {
	f := newRegisteredFixture(t)
	c, inv := f.dial(CallOptions{})
	fe := calleeOf(inv)
	f.conn.inject(fe.reply(inv, 180, "Ringing", ""))
	f.conn.inject(fe.reply(inv, 486, "Busy Here", ""))
	ack := f.conn.nextRequest(t, sip.ACK)
	assert.Equal(t, branch(inv), branch(ack))

	f.events.callEventsSoon(t, StateRinging, StateCallEnded)
	assert.Equal(t, "486 Busy Here", c.Details().CallEndReason)
	assert.Contains(t, f.media.session(t, 0).names(), "Close")
	assert.Nil(t, f.phone.CurrentCall())
}

func TestMakeCallRefusesInvalidDestinations(t *testing.T) {
	f := newRegisteredFixture(t)
	for _, dest := range []string{"", "   ", "a b", "<x>", `"x"`, "bob\r\nX-Evil: 1"} {
		c, err := f.phone.MakeCall(dest, CallOptions{})
		assert.Error(t, err, "destination %q", dest)
		assert.Nil(t, c)
	}
	_, err := f.phone.MakeCall("bob", CallOptions{Headers: map[string]string{"X-Evil": "1\r\nVia: x"}})
	assert.Error(t, err, "header injection")
	assert.Nil(t, f.phone.CurrentCall(), "a refused header leaves no call behind")
	assert.Equal(t, 0, f.media.sessionCount())
}

func TestMakeCallRefusesHeadersTheSDKOwns(t *testing.T) {
	f := newRegisteredFixture(t)
	for _, name := range []string{"Via", "call-id", "CSeq", "From", "To", "t", "Contact", "Content-Length"} {
		_, err := f.phone.MakeCall("bob", CallOptions{Headers: map[string]string{name: "x"}})
		assert.Error(t, err, name)
	}
	assert.Empty(t, f.phone.Calls(), "nothing was started")
	assert.Equal(t, 0, f.media.sessionCount(), "no media was opened")
}

func TestMakeCallToAFullURIAndWhileBusy(t *testing.T) {
	f := newRegisteredFixture(t)
	_, err := f.phone.MakeCall("sip:carol@other.test", CallOptions{})
	require.NoError(t, err)
	inv := f.conn.nextRequest(t, sip.INVITE)
	assert.Equal(t, "sip:carol@other.test", inv.Recipient.String())

	_, err = f.phone.MakeCall("bob", CallOptions{})
	assert.Error(t, err, "one call at a time")
}

func TestMakeCallNeedsAConnection(t *testing.T) {
	f := newFixture(t)
	_, err := f.phone.MakeCall("bob", CallOptions{})
	assert.Error(t, err)
	assert.Equal(t, 0, f.dialer.dialCount())
}

// connectedOutgoing calls bob, who answers at once: the call is connected.
func (f *fixture) connectedOutgoing() (*Call, *farEnd, *sip.Request) {
	t := f.t
	t.Helper()
	c, inv := f.dial(CallOptions{})
	fe := calleeOf(inv)
	f.conn.inject(fe.reply(inv, 200, "OK", farSDP(1, media.SendRecv)))
	f.conn.nextRequest(t, sip.ACK)
	f.events.waitCall(t, StateConnected)
	return c, fe, inv
}

func TestFarEndByeEndsAnOutgoingCall(t *testing.T) {
	f := newRegisteredFixture(t)
	c, fe, _ := f.connectedOutgoing()
	f.conn.inject(fe.inDialog("BYE", "", ""))
	ok := f.conn.nextResponse(t, 200)
	assert.Equal(t, sip.BYE, ok.CSeq().MethodName)
	f.events.callEventsSoon(t, StateConnected, StateTerminated)
	assert.True(t, c.Ended())
}

func TestFarEndReinviteOnAnOutgoingCall(t *testing.T) {
	f := newRegisteredFixture(t)
	c, fe, _ := f.connectedOutgoing()
	f.conn.inject(fe.inDialog("INVITE", farSDP(2, media.Inactive), "application/sdp"))
	ok := f.conn.nextResponse(t, 200)
	assert.Equal(t, media.Inactive, sdpDirection(string(ok.Body())))
	assert.True(t, c.Details().RemoteHeld, "an inactive offer holds us")
	f.conn.inject(fe.ack(fe.cseq, ""))
}

// RFC 3261 §13.2.2.4: the UAC core must ACK every retransmission of the 2xx
// (the far end retransmits until an ACK reaches it, then hangs up after 32 s).
func TestRetransmitted200IsAckedAgain(t *testing.T) {
	f := newRegisteredFixture(t)
	_, inv := f.dial(CallOptions{})
	fe := calleeOf(inv)
	ok := fe.reply(inv, 200, "OK", farSDP(1, media.SendRecv))
	f.conn.inject(ok)
	first := f.conn.nextRequest(t, sip.ACK)
	f.events.waitCall(t, StateConnected)

	f.conn.inject(ok) // our ACK was lost beyond the proxy
	var acks []*sip.Request
	assert.Eventually(t, func() bool { acks = sentRequests(f.conn, sip.ACK); return len(acks) == 2 },
		waitFor, 2*time.Millisecond, "the retransmitted 200 is ACKed again (a new or the same ACK)")
	for _, ack := range acks {
		assert.Equal(t, first.CSeq().SeqNo, ack.CSeq().SeqNo)
		assert.Equal(t, first.Recipient.String(), ack.Recipient.String())
	}
}

// sentRequests lists every request with this method the phone sent on c,
// retransmissions included.
func sentRequests(c *fakeConn, method sip.RequestMethod) []*sip.Request {
	var out []*sip.Request
	for _, m := range c.all() {
		if req, ok := m.(*sip.Request); ok && req.Method == method {
			out = append(out, req)
		}
	}
	return out
}
