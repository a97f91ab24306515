package kamailio_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
	"github.com/webphone/exotelsdk/tests/kamailio"
)

// wsPhone plays a browser SIP stack by hand over a WebSocket: Via host and
// Contact host are random ".invalid" names, as JsSIP/SIP.js send them.
type wsPhone struct {
	t        *testing.T
	conn     *kamailio.WSConn
	srv      *kamailio.Server
	user     string
	contact  string // <sip:abcd@xyz.invalid;transport=ws>
	viaHost  string
	viaProto string // "WS", or "WSS" as JsSIP writes even on ws://
	cseq     int
	// challenges lists the 401/407 codes answered, in order.
	challenges []int
}

func newWSPhone(t *testing.T, srv *kamailio.Server, user string) *wsPhone {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := kamailio.DialWS(ctx, srv.WSURL+"ws")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &wsPhone{t: t, conn: c, srv: srv, user: user,
		contact: "<sip:abcd@xyz.invalid;transport=ws>", viaHost: "df7jal23ls0d.invalid", viaProto: "WS"}
}

func (p *wsPhone) send(msg string) {
	p.t.Helper()
	if err := p.conn.Send(msg); err != nil {
		p.t.Fatal(err)
	}
}

// recv returns the next message, skipping provisional responses when
// skip100 is set.
func (p *wsPhone) recv(ctx context.Context) sip.Message {
	p.t.Helper()
	raw, err := p.conn.Recv(ctx)
	if err != nil {
		p.t.Fatalf("ws recv: %v", err)
	}
	return parse(p.t, raw)
}

// recvFinal returns the next non-100 response.
func (p *wsPhone) recvResponse(ctx context.Context, skipProvisional bool) *sip.Response {
	p.t.Helper()
	for {
		m := p.recv(ctx)
		res, ok := m.(*sip.Response)
		if !ok {
			p.t.Fatalf("expected a response, got %s", firstLine(m))
		}
		if skipProvisional && res.IsProvisional() {
			continue
		}
		return res
	}
}

// request sends an out-of-dialog request and returns its final response,
// answering one digest challenge with the user's password.
func (p *wsPhone) request(ctx context.Context, method, ruri, to, callID string, extra []string, body string) *sip.Response {
	p.t.Helper()
	tag := "wstag" + callID
	var auth string
	for attempt := 0; attempt < 2; attempt++ {
		p.cseq++
		hs := []string{
			fmt.Sprintf("Via: SIP/2.0/%s %s;branch=z9hG4bK%s%d", p.viaProto, p.viaHost, callID, p.cseq),
			"Max-Forwards: 70",
			fmt.Sprintf("From: <sip:%s@%s>;tag=%s", p.user, p.srv.Domain, tag),
			"To: " + to,
			"Call-ID: " + callID,
			fmt.Sprintf("CSeq: %d %s", p.cseq, method),
			"Contact: " + p.contact,
			"User-Agent: ws-test-phone",
		}
		if auth != "" {
			hs = append(hs, auth)
		}
		p.send(rawMsg(method+" "+ruri+" SIP/2.0", append(hs, extra...), body))
		res := p.recvResponse(ctx, true)
		if res.StatusCode != 401 && res.StatusCode != 407 || attempt == 1 {
			return res
		}
		p.challenges = append(p.challenges, res.StatusCode)
		name := "Authorization: "
		if res.StatusCode == 407 {
			name = "Proxy-Authorization: "
		}
		auth = name + authHeader(p.t, res, method, ruri, p.user, kamailio.Password(p.user))
	}
	panic("unreachable")
}

func (p *wsPhone) register(ctx context.Context, expires int) *sip.Response {
	to := fmt.Sprintf("<sip:%s@%s>", p.user, p.srv.Domain)
	return p.request(ctx, "REGISTER", "sip:"+p.srv.Domain, to, "reg-"+p.user,
		[]string{fmt.Sprintf("Expires: %d", expires)}, "")
}

// TestWebSocketRegisterAndIncomingCall registers a browser-like client over
// WebSocket and checks that an INVITE from a UDP phone reaches it over the
// same connection, and that ACK and BYE follow the dialog both ways.
func TestWebSocketRegisterAndIncomingCall(t *testing.T) {
	srv := kamailio.Start(t, kamailio.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	alice := newWSPhone(t, srv, "alice")
	if res := alice.register(ctx, 300); res.StatusCode != 200 {
		t.Fatalf("WS REGISTER answered %s", res.StartLine())
	}
	regs, err := srv.Registrations("alice")
	if err != nil || len(regs) != 1 {
		t.Fatalf("registrations = %+v, %v", regs, err)
	}
	if regs[0].Address != "sip:abcd@xyz.invalid;transport=ws" {
		t.Fatalf("registered contact %q", regs[0].Address)
	}
	if want := "sip:" + alice.conn.LocalAddr() + ";transport=ws"; regs[0].Received != want {
		t.Fatalf("received = %q, want %q (Kamailio must remember the WS connection)", regs[0].Received, want)
	}

	// bob calls alice over UDP.
	bob := newUDPUA(t)
	dua := sipgo.DialogUA{Client: bob.client, ContactHDR: bob.contact("bob")}
	invite := sip.NewRequest(sip.INVITE, sip.Uri{Scheme: "sip", User: "alice", Host: srv.Domain})
	invite.SetDestination(srv.UDPAddr)
	from := &sip.FromHeader{Address: sip.Uri{Scheme: "sip", User: "bob", Host: srv.Domain}}
	from.Params.Add("tag", sip.GenerateTagN(10))
	invite.AppendHeader(from)
	invite.AppendHeader(&sip.ToHeader{Address: sip.Uri{Scheme: "sip", User: "alice", Host: srv.Domain}})
	invite.AppendHeader(sip.NewHeader("X-Test", "ws-route"))
	sess, err := dua.WriteInvite(ctx, invite)
	if err != nil {
		t.Fatal(err)
	}
	answered := make(chan error, 1)
	go func() {
		answered <- sess.WaitAnswer(ctx, sipgo.AnswerOptions{Username: "bob", Password: kamailio.Password("bob")})
	}()

	m := alice.recv(ctx)
	in, ok := m.(*sip.Request)
	if !ok || in.Method != sip.INVITE {
		t.Fatalf("alice got %s, want INVITE", firstLine(m))
	}
	if got := in.Recipient.String(); got != "sip:abcd@xyz.invalid;transport=ws" {
		t.Fatalf("INVITE R-URI %q, want the registered WS contact", got)
	}
	if h := in.GetHeader("X-Test"); h == nil || h.Value() != "ws-route" {
		t.Fatalf("custom header lost: %v", h)
	}
	if rr := in.GetHeaders("Record-Route"); len(rr) != 2 {
		t.Fatalf("want double Record-Route (UDP and WS), got %v", rr)
	}
	alice.send(replyTo(t, in, 180, "Ringing", "alicetag", nil, ""))
	alice.send(replyTo(t, in, 200, "OK", "alicetag", []string{"Contact: " + alice.contact}, ""))
	if err := <-answered; err != nil {
		t.Fatalf("bob WaitAnswer: %v", err)
	}
	if err := sess.Ack(ctx); err != nil {
		t.Fatal(err)
	}
	ack, ok := alice.recv(ctx).(*sip.Request)
	if !ok || ack.Method != sip.ACK {
		t.Fatalf("alice got %v, want ACK", ack)
	}

	// BYE from the UDP side must reach the WS client through the alias in
	// the Contact Kamailio rewrote in the 200 OK.
	byeDone := make(chan error, 1)
	go func() { byeDone <- sess.Bye(ctx) }()
	bye, ok := alice.recv(ctx).(*sip.Request)
	if !ok || bye.Method != sip.BYE {
		t.Fatalf("alice got %v, want BYE", bye)
	}
	if strings.Contains(bye.Recipient.String(), "alias=") {
		t.Fatalf("alias leaked to the client: %s", bye.Recipient.String())
	}
	alice.send(replyTo(t, bye, 200, "OK", "", nil, ""))
	if err := <-byeDone; err != nil {
		t.Fatalf("BYE: %v", err)
	}
}

// TestWebSocketOutgoingCall has the WebSocket client call a UDP phone:
// the INVITE is challenged with 407, routed by the location table, and the
// in-dialog ACK and BYE follow the Record-Route set back to the UDP phone.
func TestWebSocketOutgoingCall(t *testing.T) {
	srv := kamailio.Start(t, kamailio.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	bob := newUDPUA(t)
	dsc := sipgo.NewDialogServerCache(bob.client, bob.contact("bob"))
	gotBye := make(chan *sip.Request, 1)
	bob.server.OnInvite(func(req *sip.Request, tx sip.ServerTransaction) {
		sess, err := dsc.ReadInvite(req, tx)
		if err != nil {
			t.Errorf("ReadInvite: %v", err)
			return
		}
		_ = sess.Respond(180, "Ringing", nil)
		_ = sess.Respond(200, "OK", nil) // returns once the ACK arrived
	})
	bob.server.OnAck(func(req *sip.Request, tx sip.ServerTransaction) { _ = dsc.ReadAck(req, tx) })
	bob.server.OnBye(func(req *sip.Request, tx sip.ServerTransaction) {
		if err := dsc.ReadBye(req, tx); err != nil {
			t.Errorf("ReadBye: %v", err)
		}
		gotBye <- req
	})
	if res, err := bob.register(ctx, srv, "bob", kamailio.Password("bob"), 300); err != nil || res.StatusCode != 200 {
		t.Fatalf("bob REGISTER: %v %v", res, err)
	}

	alice := newWSPhone(t, srv, "alice")
	alice.viaProto = "WSS" // replies must still come back over the ws:// connection
	if res := alice.register(ctx, 300); res.StatusCode != 200 {
		t.Fatalf("WS REGISTER answered %s", res.StartLine())
	}
	ruri := "sip:bob@" + srv.Domain
	res := alice.request(ctx, "INVITE", ruri, "<"+ruri+">", "call-1", nil, "")
	if res.StatusCode != 200 {
		t.Fatalf("INVITE answered %s", res.StartLine())
	}
	if fmt.Sprint(alice.challenges) != "[401 407]" {
		t.Fatalf("challenges = %v, want REGISTER 401 then INVITE 407", alice.challenges)
	}
	rr := res.GetHeaders("Record-Route")
	if len(rr) != 2 {
		t.Fatalf("want two Record-Route headers, got %v", rr)
	}
	contact := res.Contact()
	if contact == nil {
		t.Fatal("200 OK without Contact")
	}
	// In-dialog requests: R-URI = remote Contact, Route = reversed Record-Route.
	var hs []string
	for i := len(rr) - 1; i >= 0; i-- {
		hs = append(hs, "Route: "+rr[i].Value())
	}
	hs = append(hs, "Max-Forwards: 70",
		fmt.Sprintf("From: <sip:alice@%s>;tag=wstagcall-1", srv.Domain),
		"To: "+res.To().Value(), "Call-ID: call-1")
	target := contact.Address.String()
	inviteCSeq := res.CSeq().SeqNo
	alice.send(rawMsg("ACK "+target+" SIP/2.0", append([]string{
		fmt.Sprintf("Via: SIP/2.0/WSS %s;branch=z9hG4bKack1", alice.viaHost),
		fmt.Sprintf("CSeq: %d ACK", inviteCSeq)}, hs...), ""))
	alice.send(rawMsg("BYE "+target+" SIP/2.0", append([]string{
		fmt.Sprintf("Via: SIP/2.0/WSS %s;branch=z9hG4bKbye1", alice.viaHost),
		fmt.Sprintf("CSeq: %d BYE", inviteCSeq+1)}, hs...), ""))
	if res := alice.recvResponse(ctx, true); res.StatusCode != 200 || res.CSeq().MethodName != sip.BYE {
		t.Fatalf("BYE answered %s", res.StartLine())
	}
	select {
	case <-gotBye:
	case <-ctx.Done():
		t.Fatal("bob never got the BYE")
	}

	nobody := "sip:nobody@" + srv.Domain
	if res := alice.request(ctx, "INVITE", nobody, "<"+nobody+">", "call-2", nil, ""); res.StatusCode != 404 {
		t.Fatalf("INVITE to an unregistered user answered %s, want 404", res.StartLine())
	}
}
