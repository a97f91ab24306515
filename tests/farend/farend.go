// Package farend is the far end of a call for browser phone tests: a SIP
// user agent written natively in Go (sipgo over a real UDP socket) with
// WebRTC media (pion/webrtc, PCMU + RFC 4733 telephone-event only). It
// registers to a tests/kamailio server as some user, places and answers
// calls, plays a tone, measures the level of the audio it receives,
// decodes DTMF, answers re-INVITEs (hold) and INFO, and records every SIP
// message on its socket so tests can assert on the wire.
package farend

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
	"github.com/webphone/exotelsdk/tests/kamailio"
)

// Config says who the far end is and where it registers.
type Config struct {
	User        string // SIP user, e.g. "bob"
	Domain      string // SIP domain, e.g. kamailio.Server.Domain
	Server      string // Kamailio's UDP address host:port (kamailio.Server.UDPAddr)
	Password    string // digest password; default kamailio.Password(User)
	DisplayName string // From display name on calls; default none
	Expires     int    // REGISTER expiry in seconds; default 300
	NoRegister  bool   // do not REGISTER in New (call Register yourself)
	// Video: offers carry VP8 video and video offers are answered
	// sendrecv; what arrives is counted (Call.Video) and echoed back.
	Video bool
}

// Peer is one far-end user agent bound to its own UDP port on 127.0.0.1.
type Peer struct {
	cfg     Config
	ua      *sipgo.UserAgent
	client  *sipgo.Client
	server  *sipgo.Server
	dua     *sipgo.DialogUA
	conn    *recordingConn
	wire    *wireLog
	contact sip.ContactHeader

	ctx    context.Context // ends on Close
	cancel context.CancelFunc

	mu        sync.Mutex
	calls     map[string]*Call // by Call-ID
	incoming  chan *Call
	requests  []*sip.Request // out-of-dialog requests received (OPTIONS, MESSAGE)
	regCallID string
	regCSeq   uint32
	closed    bool
}

// New starts a far end for t, registers it (unless cfg.NoRegister) and
// closes it when the test ends. Failures are fatal to t.
func New(t testing.TB, cfg Config) *Peer {
	t.Helper()
	p, err := Start(cfg)
	if err != nil {
		t.Fatalf("farend %s: %v", cfg.User, err)
	}
	t.Cleanup(p.Close)
	if !cfg.NoRegister {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		res, err := p.Register(ctx)
		if err != nil {
			t.Fatalf("farend %s: REGISTER: %v", cfg.User, err)
		}
		if res.StatusCode != 200 {
			t.Fatalf("farend %s: REGISTER answered %s", cfg.User, res.StartLine())
		}
	}
	return p
}

// Start starts a far end without registering it; Close it when done.
func Start(cfg Config) (*Peer, error) {
	if cfg.User == "" || cfg.Domain == "" || cfg.Server == "" {
		return nil, fmt.Errorf("farend: User, Domain and Server are required")
	}
	if cfg.Password == "" {
		cfg.Password = kamailio.Password(cfg.User)
	}
	if cfg.Expires == 0 {
		cfg.Expires = 300
	}
	raiseUDPMTU()
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	wire := &wireLog{}
	conn := &recordingConn{PacketConn: pc, log: wire}
	laddr := pc.LocalAddr().(*net.UDPAddr)
	ua, err := sipgo.NewUA(sipgo.WithUserAgent("farend-"+cfg.User), sipgo.WithUserAgentHostname("127.0.0.1"))
	if err != nil {
		pc.Close()
		return nil, err
	}
	p := &Peer{cfg: cfg, ua: ua, conn: conn, wire: wire, calls: map[string]*Call{}, incoming: make(chan *Call, 32), regCallID: sip.GenerateTagN(20)}
	p.ctx, p.cancel = context.WithCancel(context.Background())
	p.contact = sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: cfg.User, Host: "127.0.0.1", Port: laddr.Port}}
	if p.server, err = sipgo.NewServer(ua); err == nil {
		p.client, err = sipgo.NewClient(ua, sipgo.WithClientHostname("127.0.0.1"), sipgo.WithClientPort(laddr.Port),
			sipgo.WithClientConnectionAddr(laddr.String()))
	}
	if err != nil {
		p.Close()
		return nil, err
	}
	p.dua = &sipgo.DialogUA{Client: p.client, ContactHDR: p.contact}
	p.routeRequests()
	go func() { _ = p.server.ServeUDP(conn) }()
	// Every request must leave from the served socket: wait until sipgo has it.
	for i := 0; ; i++ {
		if c, _ := ua.TransportLayer().GetConnection("udp", laddr.String()); c != nil {
			break
		}
		if i > 400 {
			p.Close()
			return nil, fmt.Errorf("farend: sipgo did not start serving %s", laddr)
		}
		time.Sleep(5 * time.Millisecond)
	}
	return p, nil
}

// Addr is the far end's UDP address (127.0.0.1:PORT).
func (p *Peer) Addr() string { return p.conn.LocalAddr().String() }

// URI is the far end's address of record, sip:user@domain.
func (p *Peer) URI() string { return "sip:" + p.cfg.User + "@" + p.cfg.Domain }

// Contact is the Contact URI the far end registers and puts in dialogs.
func (p *Peer) Contact() string { return p.contact.Address.String() }

// Messages returns every SIP message the far end sent or received so far.
func (p *Peer) Messages() []Message { return p.wire.all() }

// Requests returns out-of-dialog requests the far end received and
// answered itself (OPTIONS, MESSAGE).
func (p *Peer) Requests() []*sip.Request {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]*sip.Request(nil), p.requests...)
}

// Register sends REGISTER with Config.Expires, answering the digest
// challenge, and returns the final response.
func (p *Peer) Register(ctx context.Context) (*sip.Response, error) {
	return p.register(ctx, p.cfg.Expires)
}

// Unregister removes the far end's contact (REGISTER with Expires: 0).
func (p *Peer) Unregister(ctx context.Context) (*sip.Response, error) { return p.register(ctx, 0) }

func (p *Peer) register(ctx context.Context, expires int) (*sip.Response, error) {
	aor := sip.Uri{Scheme: "sip", User: p.cfg.User, Host: p.cfg.Domain}
	req := sip.NewRequest(sip.REGISTER, sip.Uri{Scheme: "sip", Host: p.cfg.Domain})
	req.SetDestination(p.cfg.Server)
	from := &sip.FromHeader{Address: aor}
	from.Params.Add("tag", sip.GenerateTagN(10))
	req.AppendHeader(from)
	req.AppendHeader(&sip.ToHeader{Address: aor})
	callID := sip.CallIDHeader(p.regCallID)
	req.AppendHeader(&callID)
	p.mu.Lock()
	p.regCSeq++
	req.AppendHeader(&sip.CSeqHeader{SeqNo: p.regCSeq, MethodName: sip.REGISTER})
	p.mu.Unlock()
	req.AppendHeader(sip.HeaderClone(&p.contact))
	req.AppendHeader(sip.NewHeader("Expires", fmt.Sprint(expires)))
	res, err := p.client.Do(ctx, req)
	if err == nil && res.StatusCode == 401 {
		res, err = p.client.DoDigestAuth(ctx, req, res, sipgo.DigestAuth{Username: p.cfg.User, Password: p.cfg.Password})
	}
	p.mu.Lock()
	p.regCSeq = max(p.regCSeq, req.CSeq().SeqNo)
	p.mu.Unlock()
	return res, err
}

// WaitIncoming returns the next new INVITE (a Call not yet answered; a
// 100 Trying has been sent), or an error when ctx ends.
func (p *Peer) WaitIncoming(ctx context.Context) (*Call, error) {
	select {
	case c := <-p.incoming:
		return c, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("farend %s: no incoming call: %w", p.cfg.User, ctx.Err())
	}
}

// Close hangs up calls still up, unregisters (best effort) and releases
// the socket. It is safe to call more than once.
func (p *Peer) Close() {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.closed = true
	registered := p.regCSeq > 0
	calls := make([]*Call, 0, len(p.calls))
	for _, c := range p.calls {
		calls = append(calls, c)
	}
	p.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	for _, c := range calls {
		if c.Established() && !c.Ended() {
			_ = c.Hangup(ctx)
		}
		c.closeMedia()
	}
	if p.client != nil && registered {
		_, _ = p.register(ctx, 0)
	}
	p.cancel()
	if p.ua != nil {
		_ = p.ua.Close()
	}
	_ = p.conn.Close()
}

func (p *Peer) addCall(c *Call) {
	p.mu.Lock()
	p.calls[c.callID] = c
	p.mu.Unlock()
}

func (p *Peer) call(callID string) *Call {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.calls[callID]
}

// raiseUDPMTU lets sipgo send SIP over UDP up to 60000 bytes: WebRTC SDP
// with candidates pushes an INVITE past its default 1500, which is fine on
// loopback (MTU 64 KiB). It changes a sipgo package variable, once.
var raiseUDPMTU = sync.OnceFunc(func() {
	if sip.UDPMTUSize < 60000 {
		sip.UDPMTUSize = 60000
	}
})

// targetURI turns "alice", "alice@host" or "sip:alice@host" into a URI.
func (p *Peer) targetURI(to string) (sip.Uri, error) {
	var u sip.Uri
	switch {
	case strings.HasPrefix(to, "sip:") || strings.HasPrefix(to, "sips:"):
		err := sip.ParseUri(to, &u)
		return u, err
	case strings.Contains(to, "@"):
		err := sip.ParseUri("sip:"+to, &u)
		return u, err
	}
	return sip.Uri{Scheme: "sip", User: to, Host: p.cfg.Domain}, nil
}
