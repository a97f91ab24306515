package farend_test

import (
	"context"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/webphone/exotelsdk/tests/farend"
)

// TestCancelRejectNotFoundCalleeBye covers the call outcomes other than a
// caller's BYE: CANCEL while ringing, rejection, unknown user, and the
// callee hanging up.
func TestCancelRejectNotFoundCalleeBye(t *testing.T) {
	_, bob, alice := pair(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	// CANCEL while alice rings.
	out, err := bob.Dial(ctx, "alice", farend.CallOptions{})
	if err != nil {
		t.Fatal(err)
	}
	in, err := alice.WaitIncoming(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_ = in.Ring()
	if err := out.WaitStatus(ctx, 180); err != nil {
		t.Fatal(err)
	}
	if err := out.Cancel(ctx); err != nil {
		t.Fatal(err)
	}
	if out.Status() != 487 || out.EndReason() != "local CANCEL" {
		t.Fatalf("cancelled call: status %d, reason %q", out.Status(), out.EndReason())
	}
	if reason, err := in.WaitEnded(ctx); err != nil || reason != "remote CANCEL" {
		t.Fatalf("callee end %q %v", reason, err)
	}
	if c, err := in.WaitRequest(ctx, "CANCEL"); err != nil || c.Method != sip.CANCEL {
		t.Fatalf("CANCEL not recorded: %v", err)
	}
	if err := in.Answer(ctx); err == nil {
		t.Fatal("answering a cancelled call succeeded")
	}

	// Rejection.
	out, err = bob.Dial(ctx, "alice", farend.CallOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if in, err = alice.WaitIncoming(ctx); err != nil {
		t.Fatal(err)
	}
	if err := in.Reject(486); err != nil {
		t.Fatal(err)
	}
	if code, err := out.WaitFinal(ctx); err != nil || code != 486 {
		t.Fatalf("rejected call final %d %v", code, err)
	}
	if reason, _ := out.WaitEnded(ctx); reason != "rejected 486" {
		t.Fatalf("caller end reason %q", reason)
	}

	// Unknown user: Kamailio answers 404 after authenticating the INVITE.
	out, err = bob.Call(ctx, "nobody", farend.CallOptions{})
	if err != nil || out.Status() != 404 {
		t.Fatalf("call to nobody: %v %v", out.Status(), err)
	}
	codes := []int{}
	for _, r := range out.Responses() {
		codes = append(codes, r.StatusCode)
	}
	if len(codes) < 2 || codes[0] != 407 || codes[len(codes)-1] != 404 {
		t.Fatalf("responses %v, want 407 ... 404", codes)
	}

	// The callee hangs up.
	out, in = connect(t, ctx, bob, alice)
	if err := in.Hangup(ctx); err != nil {
		t.Fatal(err)
	}
	if reason, err := out.WaitEnded(ctx); err != nil || reason != "remote BYE" {
		t.Fatalf("caller end %q %v", reason, err)
	}
	if _, err := out.WaitRequest(ctx, "BYE"); err != nil {
		t.Fatal(err)
	}
}

// TestRegisterUnregister checks the far end's registration is what
// Kamailio holds, and that Unregister removes it.
func TestRegisterUnregister(t *testing.T) {
	srv, bob, _ := pair(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := srv.Contacts("bob")
	if err != nil || len(c) != 1 || c[0] != bob.Contact() {
		t.Fatalf("contacts %q %v, want [%s]", c, err, bob.Contact())
	}
	if res, err := bob.Unregister(ctx); err != nil || res.StatusCode != 200 {
		t.Fatalf("unregister: %v %v", res, err)
	}
	if c, err := srv.Contacts("bob"); err != nil || len(c) != 0 {
		t.Fatalf("after unregister: %q %v", c, err)
	}
	if res, err := bob.Register(ctx); err != nil || res.StatusCode != 200 {
		t.Fatalf("register again: %v %v", res, err)
	}
}
