package phone

import (
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/webphone/exotelsdk/sdk/logs"
	"github.com/webphone/exotelsdk/sdk/media"
)

// The phone's request routing under fuzzing: a registered phone with an
// incoming call ringing receives one frame, then an OPTIONS whose 200 shows
// that the frame was fully handled (frames are handled in order). An internal
// error anywhere (a panic recovered by a guard) fails the run, and so does a
// frame after which the phone stops answering. In inputs, OURTAG stands for
// the phone's To tag of the ringing call, so that in-dialog requests (BYE,
// INFO, re-INVITE) and the CANCEL reach the call. Seeds: the call's own
// requests and the RFC 4475 messages (the corpus in
// testdata/fuzz/FuzzPhoneReceive).
func FuzzPhoneReceive(f *testing.F) {
	fe := fuzzFarEnd()
	fe.ourTag, fe.target = "OURTAG", "sip:alice@example.test"
	for _, seed := range []string{
		fe.cancel(),
		fe.inDialog("BYE", "", ""),
		fe.inDialog("INFO", "Signal=5\r\nDuration=160\r\n", "application/dtmf-relay"),
		fe.inDialog("INVITE", farSDP(2, media.SendOnly), "application/sdp"),
		fe.ack(fe.inviteCSeq, ""),
		fe.outOfDialog("OPTIONS"),
		fe.outOfDialog("MESSAGE"),
		newFarEnd().invite(farSDP(1, media.SendRecv)),
		fe.inDialog("REFER", "", "", "Refer-To: <sip:dave@example.test?Replaces=a%40b%3Bto-tag%3Dc%3Bfrom-tag%3Dd>"),
		fe.inDialog("NOTIFY", "SIP/2.0 200 OK\r\n", "message/sipfrag", "Event: refer", "Subscription-State: terminated"),
		newFarEnd().invite(farSDP(1, media.SendRecv), "Replaces: "+fe.callID+";to-tag=OURTAG;from-tag="+fe.tag),
	} {
		f.Add([]byte(seed))
	}
	var barrier atomic.Int64
	f.Fuzz(func(t *testing.T, frame []byte) {
		fx := newRegisteredFixture(t)
		var internal atomic.Value
		fx.book.Subscribe(func(e logs.Entry) {
			if strings.Contains(e.Message, "internal error") {
				internal.Store(e.Message)
			}
		})
		fe := fuzzFarEnd()
		invite := fe.invite(farSDP(1, media.SendRecv))
		fx.conn.inject(invite)
		fe.learn(fx.conn.nextResponse(t, 180))

		fx.conn.inject(strings.ReplaceAll(string(frame), "OURTAG", fe.ourTag))
		id := fmt.Sprintf("fuzz-barrier-%d", barrier.Add(1))
		fx.conn.inject(strings.Replace(newFarEnd().outOfDialog("OPTIONS"), "Call-ID: far-call-", "Call-ID: "+id+"-", 1))
		deadline := time.After(waitFor)
		for answered := false; !answered; {
			select {
			case m := <-fx.conn.out:
				res, ok := m.(*sip.Response)
				answered = ok && res.StatusCode == 200 && strings.HasPrefix(res.CallID().Value(), id)
			case <-deadline:
				t.Fatalf("the phone stopped answering after:\n%q", frame)
			}
		}
		if msg := internal.Load(); msg != nil {
			t.Fatalf("internal error after %q:\n%s", frame, msg)
		}
	})
}

// fuzzFarEnd calls with a fixed Call-ID and INVITE branch, so that seeds
// written once (CANCEL, in-dialog requests) match the call of every run.
func fuzzFarEnd() *farEnd {
	fe := newFarEnd()
	fe.callID, fe.tag = "fuzz-call@core.example.test", "fuzzfartag"
	return fe
}
