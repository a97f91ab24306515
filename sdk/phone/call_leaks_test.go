package phone

import (
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// goroutinesIn counts the goroutines whose stack has fn in it.
func goroutinesIn(fn string) int {
	buf := make([]byte, 1<<20)
	n := runtime.Stack(buf, true)
	count := 0
	for _, g := range strings.Split(string(buf[:n]), "\n\n") {
		if strings.Contains(g, fn) {
			count++
		}
	}
	return count
}

// answerInfosUntil answers every DTMF INFO the phone sends (so no sender
// waits for a response) until its response code to a method request.
func answerInfosUntil(t *testing.T, f *fixture, code int, method sip.RequestMethod) *sip.Response {
	t.Helper()
	for {
		m := f.conn.next(t)
		if req, ok := m.(*sip.Request); ok && req.Method == sip.INFO {
			f.conn.inject(sip.NewResponseFromRequest(req, 200, "OK", nil).String())
		}
		if res, ok := m.(*sip.Response); ok && res.StatusCode == code && res.CSeq().MethodName == method {
			return res
		}
	}
}

// A digit sent just before the call ends must not leave its sender
// goroutine behind (it once read the call's queue after end() had cleared
// it, and waited forever on a nil channel), nor race with end().
func TestDTMFSenderEndsWithTheCall(t *testing.T) {
	f := newRegisteredFixture(t)
	for i := 0; i < 20; i++ {
		fe := newFarEnd()
		f.conn.inject(fe.invite(testSDP("far", 1, "sendrecv")))
		fe.learn(answerInfosUntil(t, f, 180, sip.INVITE))
		var c *Call
		require.Eventually(t, func() bool { c = f.phone.CallByID(fe.callID); return c != nil }, waitFor, time.Millisecond)
		require.NoError(t, c.Answer())
		fe.learn(answerInfosUntil(t, f, 200, sip.INVITE))
		f.conn.inject(fe.ack(fe.inviteCSeq, ""))
		require.Eventually(t, func() bool { return c.State() == StateConnected }, waitFor, time.Millisecond)
		require.NoError(t, c.SendDTMF("5"))
		f.conn.inject(fe.inDialog("BYE", "", "")) // the far end hangs up at once
		answerInfosUntil(t, f, 200, sip.BYE)
		require.Eventually(t, c.Ended, waitFor, time.Millisecond)
	}
	assert.Eventually(t, func() bool {
		select { // an INFO of the last call may still go out: answer it
		case m := <-f.conn.out:
			if req, ok := m.(*sip.Request); ok && req.Method == sip.INFO {
				f.conn.inject(sip.NewResponseFromRequest(req, 200, "OK", nil).String())
			}
		default:
		}
		return goroutinesIn("(*Call).sendDTMFInfos") == 0
	}, waitFor, 5*time.Millisecond,
		"DTMF senders left: %d", goroutinesIn("(*Call).sendDTMFInfos"))
}

// Ending one call must not silence the ringback of another that still rings.
func TestEndingOneCallKeepsAnotherCallsRingback(t *testing.T) {
	f, tones := manyCalls(t, 2)
	a, invA := f.dial(CallOptions{})
	f.conn.inject(calleeOf(invA).reply(invA, 180, "Ringing", ""))
	waitEventOf(t, f, a, "ringing")
	b, invB := f.dial(CallOptions{})
	f.conn.inject(calleeOf(invB).reply(invB, 180, "Ringing", ""))
	waitEventOf(t, f, b, "ringing")
	assert.Equal(t, []string{toneRingback}, tones.now())
	require.NoError(t, a.Hangup())
	f.conn.nextRequest(t, sip.CANCEL)
	waitEventOf(t, f, a, "callEnded")
	assert.Equal(t, []string{toneRingback}, tones.now(), "b still rings back")
	require.NoError(t, b.Hangup())
	require.Eventually(t, func() bool { return len(tones.now()) == 0 }, waitFor, time.Millisecond)
}
