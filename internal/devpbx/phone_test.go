package devpbx

import (
	"context"
	"log/slog"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
	"github.com/pion/webrtc/v3"
	"github.com/webphone/exotelsdk/internal/pcmu"
)

// startServer starts a server on a free loopback port with an empty demo
// and dist directory (the HTTP tests add files).
func startServer(t *testing.T, cfg Config) *Server {
	t.Helper()
	cfg.Addr = "127.0.0.1:0"
	if cfg.WebDir == "" {
		cfg.WebDir = t.TempDir()
	}
	if cfg.DistDir == "" {
		cfg.DistDir = t.TempDir()
	}
	if os.Getenv("DEVPBX_LOG") != "" {
		cfg.Log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	cfg.Bot.AnswerAfter = 50 * time.Millisecond // a test need not wait for the ringing
	s, err := Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// inbound is a request a test phone received; the handler waits until the
// test closes done, so the test can answer on tx.
type inbound struct {
	req  *sip.Request
	tx   sip.ServerTransaction
	done chan struct{}
}

// phone is a SIP user agent over WebSocket, as a browser is: its Contact
// host is a made-up .invalid name, so the server reaches it only over the
// connection it opened.
type phone struct {
	t       *testing.T
	srv     *Server
	user    string
	ua      *sipgo.UserAgent
	client  *sipgo.Client
	contact sip.Uri
	got     chan inbound
	regCall sip.CallIDHeader
	regSeq  uint32
}

func newPhone(t *testing.T, srv *Server, user string) *phone {
	t.Helper()
	ua, err := sipgo.NewUA(sipgo.WithUserAgent("test-" + user))
	if err != nil {
		t.Fatal(err)
	}
	server, err := sipgo.NewServer(ua)
	if err != nil {
		t.Fatal(err)
	}
	client, err := sipgo.NewClient(ua)
	if err != nil {
		t.Fatal(err)
	}
	params := sip.NewParams()
	params.Add("transport", "ws")
	p := &phone{t: t, srv: srv, user: user, ua: ua, client: client, got: make(chan inbound, 16),
		contact: sip.Uri{Scheme: "sip", User: user, Host: user + "-tab.invalid", UriParams: params},
		regCall: sip.CallIDHeader(sip.GenerateTagN(16))}
	server.OnNoRoute(func(req *sip.Request, tx sip.ServerTransaction) {
		in := inbound{req: req, tx: tx, done: make(chan struct{})}
		p.got <- in
		if !req.IsAck() {
			select {
			case <-in.done:
			case <-time.After(30 * time.Second):
			}
		}
	})
	t.Cleanup(func() { _ = ua.Close() })
	return p
}

// aor is the phone's address of record.
func (p *phone) aor(user string) sip.Uri {
	return sip.Uri{Scheme: "sip", User: user, Host: p.srv.Domain()}
}

// toServer sends req over the phone's WebSocket to the server.
func (p *phone) toServer(req *sip.Request) {
	req.SetDestination(p.srv.hostPort())
	req.SetTransport("WS")
}

// register sends REGISTER (expires seconds) with password pw and returns
// the final response, answering one challenge.
func (p *phone) register(expires int, pw string) *sip.Response {
	p.t.Helper()
	req := sip.NewRequest(sip.REGISTER, sip.Uri{Scheme: "sip", Host: p.srv.Domain()})
	from := &sip.FromHeader{Address: p.aor(p.user), Params: sip.NewParams()}
	from.Params.Add("tag", sip.GenerateTagN(8))
	req.AppendHeader(from)
	req.AppendHeader(&sip.ToHeader{Address: p.aor(p.user)})
	req.AppendHeader(&p.regCall)
	p.regSeq++
	req.AppendHeader(&sip.CSeqHeader{SeqNo: p.regSeq, MethodName: sip.REGISTER})
	req.AppendHeader(&sip.ContactHeader{Address: p.contact})
	req.AppendHeader(sip.NewHeader("Expires", strconv.Itoa(expires)))
	p.toServer(req)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	res, err := p.client.Do(ctx, req)
	if err == nil && res.StatusCode == 401 {
		res, err = p.client.DoDigestAuth(ctx, req, res, sipgo.DigestAuth{Username: p.user, Password: pw})
		p.regSeq = req.CSeq().SeqNo
	}
	if err != nil {
		p.t.Fatalf("%s REGISTER: %v", p.user, err)
	}
	return res
}

// mustRegister registers with the "pw-" password and fails the test otherwise.
func (p *phone) mustRegister() {
	p.t.Helper()
	if res := p.register(300, "pw-"+p.user); res.StatusCode != 200 {
		p.t.Fatalf("%s REGISTER: %s", p.user, res.StartLine())
	}
}

// invite sends an INVITE to user with body and returns its transaction.
func (p *phone) invite(user string, body string, headers ...sip.Header) (*sip.Request, sip.ClientTransaction) {
	p.t.Helper()
	req := sip.NewRequest(sip.INVITE, p.aor(user))
	from := &sip.FromHeader{DisplayName: "Test " + p.user, Address: p.aor(p.user), Params: sip.NewParams()}
	from.Params.Add("tag", sip.GenerateTagN(8))
	req.AppendHeader(from)
	req.AppendHeader(&sip.ToHeader{Address: p.aor(user)})
	req.AppendHeader(&sip.ContactHeader{Address: p.contact})
	req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	for _, h := range headers {
		req.AppendHeader(h)
	}
	req.SetBody([]byte(body))
	p.toServer(req)
	tx, err := p.client.TransactionRequest(context.Background(), req)
	if err != nil {
		p.t.Fatalf("%s INVITE: %v", p.user, err)
	}
	p.t.Cleanup(tx.Terminate)
	return req, tx
}

// final waits for the final response of tx and returns every response.
func final(t *testing.T, tx sip.ClientTransaction) []*sip.Response {
	t.Helper()
	var all []*sip.Response
	timeout := time.After(10 * time.Second)
	for {
		select {
		case res := <-tx.Responses():
			all = append(all, res)
			if !res.IsProvisional() {
				return all
			}
		case <-tx.Done():
			t.Fatalf("transaction ended without a final response: %v", tx.Err())
		case <-timeout:
			t.Fatal("no final response")
		}
	}
}

// inDialog builds a request inside the dialog that invite set up with
// res (as the caller): to the callee's Contact, along the reversed
// Record-Route, with the dialog's tags.
func (p *phone) inDialog(method sip.RequestMethod, invite *sip.Request, res *sip.Response, seq uint32) *sip.Request {
	req := sip.NewRequest(method, *res.Contact().Address.Clone())
	rr := res.GetHeaders("Record-Route")
	for i := len(rr) - 1; i >= 0; i-- {
		req.AppendHeader(sip.NewHeader("Route", rr[i].Value()))
	}
	req.AppendHeader(sip.HeaderClone(invite.From()))
	req.AppendHeader(sip.HeaderClone(res.To()))
	req.AppendHeader(sip.HeaderClone(invite.CallID()))
	req.AppendHeader(&sip.CSeqHeader{SeqNo: seq, MethodName: method})
	p.toServer(req)
	return req
}

// do sends a request and returns its final response.
func (p *phone) do(req *sip.Request) *sip.Response {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	res, err := p.client.Do(ctx, req)
	if err != nil {
		p.t.Fatalf("%s %s: %v", p.user, req.Method, err)
	}
	return res
}

// next waits for the next request the phone receives.
func (p *phone) next(method sip.RequestMethod) inbound {
	p.t.Helper()
	for {
		select {
		case in := <-p.got:
			if in.req.Method == method {
				return in
			}
			close(in.done)
		case <-time.After(10 * time.Second):
			p.t.Fatalf("%s: no %s arrived", p.user, method)
		}
	}
}

// answer responds to an inbound request and lets its handler return.
func (in inbound) answer(t *testing.T, res *sip.Response) {
	t.Helper()
	if err := in.tx.Respond(res); err != nil {
		t.Fatalf("respond %d: %v", res.StatusCode, err)
	}
}

// sdpPeer makes a pion peer connection that speaks PCMU, for real SDP
// offers and answers (the bot needs them).
func sdpPeer(t *testing.T) *webrtc.PeerConnection {
	t.Helper()
	me := &webrtc.MediaEngine{}
	if err := me.RegisterCodec(webrtc.RTPCodecParameters{RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypePCMU, ClockRate: 8000}, PayloadType: 0}, webrtc.RTPCodecTypeAudio); err != nil {
		t.Fatal(err)
	}
	pc, err := webrtc.NewAPI(webrtc.WithMediaEngine(me)).NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pcmu.Closer(pc))
	if _, err := pc.AddTransceiverFromKind(webrtc.RTPCodecTypeAudio); err != nil {
		t.Fatal(err)
	}
	return pc
}

// offerSDP returns a complete (gathered) SDP offer.
func offerSDP(t *testing.T) string {
	pc := sdpPeer(t)
	o, err := pc.CreateOffer(nil)
	if err != nil {
		t.Fatal(err)
	}
	return setLocal(t, pc, o)
}

// answerSDP answers offer with a fresh peer.
func answerSDP(t *testing.T, offer string) string {
	pc := sdpPeer(t)
	if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: offer}); err != nil {
		t.Fatal(err)
	}
	a, err := pc.CreateAnswer(nil)
	if err != nil {
		t.Fatal(err)
	}
	return setLocal(t, pc, a)
}

func setLocal(t *testing.T, pc *webrtc.PeerConnection, d webrtc.SessionDescription) string {
	t.Helper()
	done := webrtc.GatheringCompletePromise(pc)
	if err := pc.SetLocalDescription(d); err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("ICE gathering did not finish")
	}
	return pc.LocalDescription().SDP
}
