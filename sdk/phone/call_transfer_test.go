package phone

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/webphone/exotelsdk/sdk/media"
)

// transferAsync runs f (Transfer or AttendedTransfer) in the background: it
// waits for the far end's NOTIFYs, which the test gives.
func transferAsync(f func() error) <-chan error {
	done := make(chan error, 1)
	go func() { done <- f() }()
	return done
}

// referNotify is the far end's NOTIFY about our REFER with a sipfrag status line.
func referNotify(fe *farEnd, line, state string) string {
	return fe.inDialog("NOTIFY", line+"\r\n", "message/sipfrag;version=2.0",
		"Event: refer", "Subscription-State: "+state)
}

// expectRefer checks the phone's REFER in fe's dialog and returns it.
func expectRefer(t *testing.T, f *fixture, fe *farEnd) *sip.Request {
	t.Helper()
	req := f.conn.nextRequest(t, sip.REFER)
	assert.Equal(t, fe.callID, req.CallID().Value())
	assert.Equal(t, fe.tag, toTag(req))
	assert.Equal(t, "<sip:alice@example.test>", header(req, "Referred-By"), "Referred-By is our AOR")
	assert.NotNil(t, req.Contact(), "REFER carries our Contact (RFC 3515 §2.4.1)")
	return req
}

func TestBlindTransferSucceedsAndEndsTheCallTransferred(t *testing.T) {
	f := newRegisteredFixture(t)
	fe := newFarEnd()
	c, _ := f.connectedIncoming(fe)

	done := transferAsync(func() error { return c.Transfer("bob") })
	refer := expectRefer(t, f, fe)
	assert.Equal(t, "<sip:bob@example.test>", header(refer, "Refer-To"), "the target as MakeCall reads it")
	f.conn.inject(fe.reply(refer, 202, "Accepted", ""))
	waitEventOf(t, f, c, EventTransferring)

	f.conn.inject(referNotify(fe, "SIP/2.0 100 Trying", "active;expires=60"))
	f.conn.nextResponse(t, 200)
	f.conn.inject(referNotify(fe, "SIP/2.0 200 OK", "terminated;reason=noresource"))
	f.conn.nextResponse(t, 200)
	require.NoError(t, <-done)
	f.conn.nextRequest(t, sip.BYE)
	waitEventOf(t, f, c, string(StateCallEnded))
	assert.Equal(t, []string{"incoming", "connected", EventTransferring, EventTransferred, "callEnded"}, callEventsOf(f, c))
	assert.Equal(t, CauseTransferred, c.Details().CallEndCause)
}

func TestTransferRefusedOrFailedLeavesTheCallAsItWas(t *testing.T) {
	for _, tc := range []struct {
		name string
		run  func(f *fixture, fe *farEnd, refer *sip.Request)
	}{
		{"REFER refused", func(f *fixture, fe *farEnd, refer *sip.Request) {
			f.conn.inject(fe.reply(refer, 603, "Decline", ""))
		}},
		{"target busy", func(f *fixture, fe *farEnd, refer *sip.Request) {
			f.conn.inject(fe.reply(refer, 202, "Accepted", ""))
			f.conn.inject(referNotify(fe, "SIP/2.0 486 Busy Here", "terminated;reason=noresource"))
			f.conn.nextResponse(f.t, 200)
		}},
		{"no NOTIFY in 32 s", func(f *fixture, fe *farEnd, refer *sip.Request) {
			f.conn.inject(fe.reply(refer, 202, "Accepted", ""))
			require.Eventually(f.t, func() bool {
				for _, d := range f.clock.Pending() {
					if d == transferTimeout {
						return true
					}
				}
				return false
			}, waitFor, 2*time.Millisecond)
			f.clock.Advance(transferTimeout)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newRegisteredFixture(t)
			fe := newFarEnd()
			c, _ := f.connectedIncoming(fe)
			done := transferAsync(func() error { return c.Transfer("sip:bob@example.test") })
			tc.run(f, fe, expectRefer(t, f, fe))
			require.Error(t, <-done)
			waitEventOf(t, f, c, EventTransferFailed)
			assert.Equal(t, StateConnected, c.State(), "the call stays")
			f.conn.quiet(t, 50*time.Millisecond) // no BYE
		})
	}
}

func TestTransferOfAHeldCallFailsHeldAndCanBeResumed(t *testing.T) {
	f := newRegisteredFixture(t)
	fe := newFarEnd()
	c, _ := f.connectedIncoming(fe)
	done := setHoldAsync(c, true)
	hold := expectReinvite(t, f, fe, 1)
	f.conn.inject(fe.reply(hold, 200, "OK", farSDP(2, media.RecvOnly)))
	expectAck(t, f, hold)
	require.NoError(t, result(t, done))

	tr := transferAsync(func() error { return c.Transfer("bob") })
	refer := expectRefer(t, f, fe)
	f.conn.inject(fe.reply(refer, 202, "Accepted", ""))
	f.conn.inject(referNotify(fe, "SIP/2.0 486 Busy Here", "terminated;reason=noresource"))
	f.conn.nextResponse(t, 200)
	require.Error(t, <-tr)
	assert.True(t, c.Held(), "still held as it was")

	done = setHoldAsync(c, false)
	resume := expectReinvite(t, f, fe, 3)
	assert.Equal(t, media.SendRecv, sdpDirection(string(resume.Body())))
	f.conn.inject(fe.reply(resume, 200, "OK", farSDP(3, media.SendRecv)))
	expectAck(t, f, resume)
	require.NoError(t, result(t, done))
	assert.False(t, c.Held())
}

func TestTransferBadInputSendsNothing(t *testing.T) {
	f := newRegisteredFixture(t)
	fe := newFarEnd()
	c, _ := f.connectedIncoming(fe)
	assert.Error(t, c.Transfer(""))
	assert.Error(t, c.Transfer("bad target"))
	assert.Error(t, c.AttendedTransfer(c), "with itself")
	assert.Error(t, c.AttendedTransfer(nil))
	f.conn.quiet(t, 50*time.Millisecond)
	assert.Equal(t, StateConnected, c.State())
}

func TestAttendedTransferRefersWithReplacesAndEndsBothCalls(t *testing.T) {
	f, _ := manyCalls(t, 2)
	carol := newFarEnd()
	first, _ := f.connectedIncoming(carol)
	done := setHoldAsync(first, true)
	hold := expectReinvite(t, f, carol, 1)
	f.conn.inject(carol.reply(hold, 200, "OK", farSDP(2, media.RecvOnly)))
	expectAck(t, f, hold)
	require.NoError(t, result(t, done))
	second, bob, _ := f.connectedOutgoing()
	waitEventOf(t, f, second, string(StateConnected))

	tr := transferAsync(func() error { return first.AttendedTransfer(second) })
	refer := expectRefer(t, f, carol)
	referTo := header(refer, "Refer-To")
	base, query, ok := strings.Cut(strings.Trim(referTo, "<>"), "?Replaces=")
	require.True(t, ok, referTo)
	assert.Equal(t, "sip:bob@example.test", base, "the other call's far end")
	replaces, err := url.QueryUnescape(query)
	require.NoError(t, err)
	assert.Equal(t, bob.callID+";to-tag="+bob.tag+";from-tag="+bob.ourTag, replaces)
	assert.NotContains(t, query, "@", "Replaces is escaped in the URI")

	f.conn.inject(carol.reply(refer, 202, "Accepted", ""))
	f.conn.inject(referNotify(carol, "SIP/2.0 200 OK", "terminated;reason=noresource"))
	f.conn.nextResponse(t, 200)
	require.NoError(t, <-tr)
	byes := 0
	require.Eventually(t, func() bool { byes = len(sentRequests(f.conn, sip.BYE)); return byes == 2 }, waitFor, 2*time.Millisecond)
	assert.Equal(t, CauseTransferred, first.Details().CallEndCause)
	assert.Equal(t, CauseTransferred, second.Details().CallEndCause)
}
