package farend_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/webphone/exotelsdk/tests/farend"
	"github.com/webphone/exotelsdk/tests/kamailio"
)

// pair starts Kamailio and registers two far ends, bob and alice.
func pair(t *testing.T) (srv *kamailio.Server, bob, alice *farend.Peer) {
	t.Helper()
	srv = kamailio.Start(t, kamailio.Options{})
	bob = farend.New(t, farend.Config{User: "bob", Domain: srv.Domain, Server: srv.UDPAddr, DisplayName: "Bob"})
	alice = farend.New(t, farend.Config{User: "alice", Domain: srv.Domain, Server: srv.UDPAddr})
	return srv, bob, alice
}

// connect has bob call alice and alice answer; both media legs connected.
func connect(t *testing.T, ctx context.Context, bob, alice *farend.Peer) (out, in *farend.Call) {
	t.Helper()
	out, err := bob.Dial(ctx, "alice", farend.CallOptions{Headers: map[string]string{"X-Exotel-Callsid": "abc"}})
	if err != nil {
		t.Fatal(err)
	}
	in, err = alice.WaitIncoming(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := in.Ring(); err != nil {
		t.Fatal(err)
	}
	if err := out.WaitStatus(ctx, 180); err != nil {
		t.Fatal(err)
	}
	answered := make(chan error, 1)
	go func() { answered <- in.Answer(ctx) }()
	if code, err := out.WaitFinal(ctx); err != nil || code != 200 {
		t.Fatalf("final response %d, %v", code, err)
	}
	if err := <-answered; err != nil {
		t.Fatalf("Answer: %v", err)
	}
	for _, c := range []*farend.Call{out, in} {
		if err := c.WaitMedia(ctx); err != nil {
			t.Fatal(err)
		}
	}
	return out, in
}

// waitLevel polls c's received audio level until cond holds.
func waitLevel(t *testing.T, ctx context.Context, name string, c *farend.Call, cond func(float64) bool) float64 {
	t.Helper()
	for {
		l := c.AudioLevel(300 * time.Millisecond)
		if cond(l) {
			return l
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%s: audio level stuck at %.1f dBFS", name, l)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func loud(l float64) bool  { return l > -20 }
func quiet(l float64) bool { return l < -60 }

func TestCallAudioDTMFInfoHoldBye(t *testing.T) {
	_, bob, alice := pair(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, in := connect(t, ctx, bob, alice)

	inv := in.Request()
	if h := inv.GetHeader("X-Exotel-Callsid"); h == nil || h.Value() != "abc" {
		t.Fatalf("custom header not delivered: %v", h)
	}
	if from := inv.From(); from.DisplayName != "Bob" || from.Address.User != "bob" {
		t.Fatalf("From = %s", from.Value())
	}
	if d := farend.AudioDirection(string(inv.Body())); d != farend.SendRecv {
		t.Fatalf("offer direction %q", d)
	}

	// Audio both ways: silence by default, a tone when asked.
	waitLevel(t, ctx, "alice hears bob's silence", in, quiet)
	if err := out.PlayTone(440); err != nil {
		t.Fatal(err)
	}
	l := waitLevel(t, ctx, "alice hears bob's tone", in, loud)
	t.Logf("bob's 440 Hz tone at alice: %.1f dBFS", l)
	waitLevel(t, ctx, "bob hears alice's silence", out, quiet)
	_ = in.PlayTone(1000)
	waitLevel(t, ctx, "bob hears alice's tone", out, loud)
	_ = out.PlayTone(0)
	waitLevel(t, ctx, "alice hears silence again", in, quiet)

	// RFC 4733 DTMF, deduplicated end packets.
	if err := out.SendDTMF("12#"); err != nil {
		t.Fatal(err)
	}
	digits, err := in.WaitDTMF(ctx, 3)
	if err != nil || string(digits) != "12#" {
		t.Fatalf("DTMF received %q, %v", string(digits), err)
	}
	time.Sleep(200 * time.Millisecond) // a late duplicate end packet would show here
	if got := string(in.DTMFEvents()); got != "12#" {
		t.Fatalf("DTMF after settling %q", got)
	}

	// SIP INFO in the dialog.
	res, err := out.SendInfo(ctx, "application/dtmf-relay", "Signal=5\r\nDuration=160\r\n")
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("INFO: %v %v", res, err)
	}
	info, err := in.WaitRequest(ctx, "INFO")
	if err != nil || !strings.Contains(string(info.Body()), "Signal=5") {
		t.Fatalf("INFO at alice: %v %v", info, err)
	}

	// alice (the callee) holds: sendonly offer, bob must answer recvonly and
	// stop sending; alice keeps sending.
	_ = out.PlayTone(440)
	waitLevel(t, ctx, "alice hears bob before hold", in, loud)
	res, err = in.Hold(ctx)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("hold: %v %v", res, err)
	}
	if d := farend.AudioDirection(string(res.Body())); d != farend.RecvOnly {
		t.Fatalf("hold answered %q, want recvonly", d)
	}
	reinv, err := out.WaitRequest(ctx, "INVITE")
	if err != nil || farend.AudioDirection(string(reinv.Body())) != farend.SendOnly {
		t.Fatalf("bob got re-INVITE %v, %v", reinv, err)
	}
	if out.LocalDirection() != farend.RecvOnly || in.LocalDirection() != farend.SendOnly {
		t.Fatalf("directions bob=%s alice=%s", out.LocalDirection(), in.LocalDirection())
	}
	if _, err := out.WaitRequest(ctx, "ACK"); err != nil {
		t.Fatal(err)
	}
	waitLevel(t, ctx, "alice hears nothing from bob on hold", in, quiet)
	waitLevel(t, ctx, "bob still hears alice on hold", out, loud)

	res, err = in.Unhold(ctx)
	if err != nil || res.StatusCode != 200 || farend.AudioDirection(string(res.Body())) != farend.SendRecv {
		t.Fatalf("unhold: %v %v", res, err)
	}
	waitLevel(t, ctx, "alice hears bob after unhold", in, loud)

	// bob (the caller) holds too, exercising the UAC side of the dialog.
	if res, err := out.Hold(ctx); err != nil || farend.AudioDirection(string(res.Body())) != farend.RecvOnly {
		t.Fatalf("bob hold: %v %v", res, err)
	}
	waitLevel(t, ctx, "bob hears nothing from alice on hold", out, quiet)
	if res, err := out.Unhold(ctx); err != nil || res.StatusCode != 200 {
		t.Fatalf("bob unhold: %v %v", res, err)
	}
	waitLevel(t, ctx, "bob hears alice after unhold", out, loud)

	if err := out.Hangup(ctx); err != nil {
		t.Fatal(err)
	}
	if reason, err := in.WaitEnded(ctx); err != nil || reason != "remote BYE" {
		t.Fatalf("alice end: %q %v", reason, err)
	}
	checkWire(t, bob)
}

// checkWire asserts on bob's recorded SIP messages for the call.
func checkWire(t *testing.T, bob *farend.Peer) {
	t.Helper()
	var invites []farend.Message
	got407 := false
	for _, m := range bob.Messages() {
		if m.Sent && m.IsRequest() && m.Method() == "INVITE" && m.Header("X-Exotel-Callsid") != "" {
			invites = append(invites, m)
		}
		if !m.Sent && m.StatusCode() == 407 {
			got407 = true
		}
	}
	if !got407 || len(invites) < 2 {
		t.Fatalf("want INVITE, 407, INVITE with credentials on the wire; got %d INVITEs, 407=%v", len(invites), got407)
	}
	if invites[0].Header("Proxy-Authorization") != "" || invites[1].Header("Proxy-Authorization") == "" {
		t.Fatal("credentials must appear only after the 407")
	}
	if !strings.Contains(invites[1].Body(), "a=rtpmap:0 PCMU/8000") ||
		!strings.Contains(invites[1].Body(), "telephone-event/8000") ||
		strings.Contains(invites[1].Body(), "opus") {
		t.Fatalf("offer should carry only PCMU and telephone-event:\n%s", invites[1].Body())
	}
}
