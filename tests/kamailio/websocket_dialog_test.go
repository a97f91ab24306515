package kamailio_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
	"github.com/webphone/exotelsdk/tests/kamailio"
)

// wsDialog is the WS phone's view of an established dialog it created.
type wsDialog struct {
	p      *wsPhone
	target string   // remote Contact
	routes []string // Route headers (reversed Record-Route)
	from   string
	to     string
	callID string
	cseq   uint32
}

// send sends an in-dialog request; ACK reuses the INVITE's CSeq number.
func (d *wsDialog) send(method, body string, extra ...string) {
	if method != "ACK" {
		d.cseq++
	}
	hs := append([]string{
		fmt.Sprintf("Via: SIP/2.0/%s %s;branch=z9hG4bK%s%d%s", d.p.viaProto, d.p.viaHost, d.callID, d.cseq, method),
		"Max-Forwards: 70", "From: " + d.from, "To: " + d.to, "Call-ID: " + d.callID,
		fmt.Sprintf("CSeq: %d %s", d.cseq, method), "Contact: " + d.p.contact,
	}, d.routes...)
	d.p.send(rawMsg(method+" "+d.target+" SIP/2.0", append(hs, extra...), body))
}

// TestWebSocketInDialogRequests: a WS caller and a UDP callee exchange
// INFO and re-INVITE both ways through Kamailio, then the callee hangs up.
func TestWebSocketInDialogRequests(t *testing.T) {
	srv := kamailio.Start(t, kamailio.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	bob := newUDPUA(t)
	dsc := sipgo.NewDialogServerCache(bob.client, bob.contact("bob"))
	got := make(chan *sip.Request, 10)
	sessions := make(chan *sipgo.DialogServerSession, 1)
	bob.server.OnInvite(func(req *sip.Request, tx sip.ServerTransaction) {
		if req.To().Params.Has("tag") { // re-INVITE
			got <- req
			_ = tx.Respond(sip.NewResponseFromRequest(req, 200, "OK", nil))
			return
		}
		sess, err := dsc.ReadInvite(req, tx)
		if err != nil {
			t.Errorf("ReadInvite: %v", err)
			return
		}
		sessions <- sess
		_ = sess.Respond(200, "OK", nil)
	})
	bob.server.OnAck(func(req *sip.Request, tx sip.ServerTransaction) { _ = dsc.ReadAck(req, tx); got <- req })
	bob.server.OnInfo(func(req *sip.Request, tx sip.ServerTransaction) {
		got <- req
		_ = tx.Respond(sip.NewResponseFromRequest(req, 200, "OK", nil))
	})
	if res, err := bob.register(ctx, srv, "bob", kamailio.Password("bob"), 300); err != nil || res.StatusCode != 200 {
		t.Fatalf("bob REGISTER: %v %v", res, err)
	}
	expect := func(method sip.RequestMethod) *sip.Request {
		t.Helper()
		select {
		case r := <-got:
			if r.Method != method {
				t.Fatalf("bob got %s, want %s", r.Method, method)
			}
			return r
		case <-ctx.Done():
			t.Fatalf("bob never got %s", method)
		}
		return nil
	}

	alice := newWSPhone(t, srv, "alice")
	ruri := "sip:bob@" + srv.Domain
	res := alice.request(ctx, "INVITE", ruri, "<"+ruri+">", "call-dlg", nil, "")
	if res.StatusCode != 200 {
		t.Fatalf("INVITE answered %s", res.StartLine())
	}
	d := &wsDialog{p: alice, target: res.Contact().Address.String(), callID: "call-dlg",
		from: res.From().Value(), to: res.To().Value(), cseq: res.CSeq().SeqNo}
	rr := res.GetHeaders("Record-Route")
	for i := len(rr) - 1; i >= 0; i-- {
		d.routes = append(d.routes, "Route: "+rr[i].Value())
	}
	d.send("ACK", "")
	expect(sip.ACK)
	sess := <-sessions

	// WS -> UDP: INFO, then a re-INVITE and its ACK.
	d.send("INFO", "Signal=7\r\nDuration=160\r\n", "Content-Type: application/dtmf-relay")
	if r := alice.recvResponse(ctx, true); r.StatusCode != 200 {
		t.Fatalf("INFO answered %s", r.StartLine())
	}
	if info := expect(sip.INFO); string(info.Body()) != "Signal=7\r\nDuration=160\r\n" {
		t.Fatalf("INFO body %q", info.Body())
	}
	d.send("INVITE", "")
	if r := alice.recvResponse(ctx, true); r.StatusCode != 200 {
		t.Fatalf("re-INVITE answered %s", r.StartLine())
	}
	expect(sip.INVITE)
	d.send("ACK", "")
	expect(sip.ACK)

	// UDP -> WS: INFO routed by the alias Kamailio put in alice's Contact.
	infoDone := make(chan error, 1)
	go func() {
		r, err := sess.Do(ctx, sip.NewRequest(sip.INFO, sess.InviteRequest.Contact().Address))
		if err == nil && r.StatusCode != 200 {
			err = fmt.Errorf("INFO answered %s", r.StartLine())
		}
		infoDone <- err
	}()
	in, ok := alice.recv(ctx).(*sip.Request)
	if !ok || in.Method != sip.INFO || in.Recipient.String() != "sip:abcd@xyz.invalid;transport=ws" {
		t.Fatalf("alice got %v, want INFO to her own contact", in)
	}
	alice.send(replyTo(t, in, 200, "OK", "", nil, ""))
	if err := <-infoDone; err != nil {
		t.Fatal(err)
	}

	// The UDP callee hangs up.
	byeDone := make(chan error, 1)
	go func() { byeDone <- sess.Bye(ctx) }()
	bye, ok := alice.recv(ctx).(*sip.Request)
	if !ok || bye.Method != sip.BYE {
		t.Fatalf("alice got %v, want BYE", bye)
	}
	alice.send(replyTo(t, bye, 200, "OK", "", nil, ""))
	if err := <-byeDone; err != nil {
		t.Fatal(err)
	}
}

// TestWebSocketCancel: a UDP caller cancels while the WS callee rings; the
// CANCEL reaches the callee over its WebSocket and the caller gets 487.
func TestWebSocketCancel(t *testing.T) {
	srv := kamailio.Start(t, kamailio.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	alice := newWSPhone(t, srv, "alice")
	if res := alice.register(ctx, 300); res.StatusCode != 200 {
		t.Fatalf("WS REGISTER answered %s", res.StartLine())
	}

	bob := newUDPUA(t)
	dua := sipgo.DialogUA{Client: bob.client, ContactHDR: bob.contact("bob")}
	invite := sip.NewRequest(sip.INVITE, sip.Uri{Scheme: "sip", User: "alice", Host: srv.Domain})
	invite.SetDestination(srv.UDPAddr)
	from := &sip.FromHeader{Address: sip.Uri{Scheme: "sip", User: "bob", Host: srv.Domain}}
	from.Params.Add("tag", sip.GenerateTagN(10))
	invite.AppendHeader(from)
	invite.AppendHeader(&sip.ToHeader{Address: sip.Uri{Scheme: "sip", User: "alice", Host: srv.Domain}})
	sess, err := dua.WriteInvite(ctx, invite)
	if err != nil {
		t.Fatal(err)
	}
	ringCtx, hangUp := context.WithCancel(ctx)
	done := make(chan error, 1)
	ringing := make(chan struct{}, 1)
	go func() {
		done <- sess.WaitAnswer(ringCtx, sipgo.AnswerOptions{Username: "bob", Password: kamailio.Password("bob"),
			OnResponse: func(r *sip.Response) error {
				if r.StatusCode == 180 {
					ringing <- struct{}{}
				}
				return nil
			}})
	}()

	in, ok := alice.recv(ctx).(*sip.Request)
	if !ok || in.Method != sip.INVITE {
		t.Fatalf("alice got %v, want INVITE", in)
	}
	alice.send(replyTo(t, in, 180, "Ringing", "alicetag", []string{"Contact: " + alice.contact}, ""))
	// Wait for bob to see the 180 before cancelling (CANCEL needs a 1xx).
	select {
	case <-ringing:
	case <-ctx.Done():
		t.Fatal("bob never saw 180")
	}
	hangUp()
	c, ok := alice.recv(ctx).(*sip.Request)
	if !ok || c.Method != sip.CANCEL {
		t.Fatalf("alice got %v, want CANCEL", c)
	}
	alice.send(replyTo(t, c, 200, "OK", "", nil, ""))
	alice.send(replyTo(t, in, 487, "Request Terminated", "alicetag", nil, ""))
	<-done
	if sess.InviteResponse == nil || sess.InviteResponse.StatusCode != 487 {
		t.Fatalf("caller's final response %v, want 487", sess.InviteResponse)
	}
	if ack, ok := alice.recv(ctx).(*sip.Request); !ok || ack.Method != sip.ACK {
		t.Fatalf("alice got %v, want the ACK for 487", ack)
	}
}

// TestDropContactsOnDisconnect: with the option, a WebSocket client's
// registration disappears when its connection closes; without it, it stays.
func TestDropContactsOnDisconnect(t *testing.T) {
	for _, drop := range []bool{false, true} {
		srv := kamailio.Start(t, kamailio.Options{DropContactsOnDisconnect: drop})
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		alice := newWSPhone(t, srv, "alice")
		if res := alice.register(ctx, 300); res.StatusCode != 200 {
			t.Fatalf("WS REGISTER answered %s", res.StartLine())
		}
		alice.conn.Close()
		want := 1
		if drop {
			want = 0
		}
		var c []string
		for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			if c, _ = srv.Contacts("alice"); len(c) == want {
				break
			}
		}
		if len(c) != want {
			t.Fatalf("drop=%v: contacts after disconnect %q", drop, c)
		}
		cancel()
	}
}
