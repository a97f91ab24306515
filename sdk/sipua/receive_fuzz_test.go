package sipua

import (
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
)

// The UA's receive path under fuzzing: any frame a server can send is parsed,
// routed to a pending REGISTER or INVITE client transaction, a server
// transaction or the handler, or answered 400 or dropped, without a panic
// (handle is called without process's recover, so one fails the run) and
// within a deadline. Seeds: the RFC 4475 messages (the corpus in
// testdata/fuzz/FuzzUAReceive), answers to the pending REGISTER (401, 200)
// and INVITE (180, 200), requests from the server.
func FuzzUAReceive(f *testing.F) {
	register, invite := fuzzClientRequest(sip.REGISTER, fuzzRegisterBranch), fuzzClientRequest(sip.INVITE, fuzzInviteBranch)
	for _, seed := range []string{
		reply(register, 401, "Unauthorized", `WWW-Authenticate: Digest realm="r", nonce="n", qop="auth"`),
		reply(register, 200, "OK", "Contact: <sip:a@b.invalid>;expires=300"),
		reply(invite, 180, "Ringing"),
		reply(invite, 200, "OK", "Contact: <sip:bob@192.0.2.1>", "Content-Type: application/sdp"),
		optionsFromServer,
		strings.NewReplacer("OPTIONS", "INVITE").Replace(optionsFromServer),
		strings.NewReplacer("OPTIONS", "CANCEL").Replace(optionsFromServer),
		strings.NewReplacer("OPTIONS", "ACK").Replace(optionsFromServer),
		"\r\n",
	} {
		f.Add([]byte(seed))
	}

	_, log := testLogger()
	ua := NewUA(log)
	defer ua.Close()
	ua.Attach(discard{})
	ua.OnRequest(func(req *sip.Request, tx *sip.ServerTx) {
		if tx == nil {
			return // an ACK of a 2xx
		}
		code := 200
		if !req.IsInvite() && req.Method != sip.OPTIONS {
			code = 405
		}
		_ = tx.Respond(sip.NewResponseFromRequest(req, code, "Fuzz", nil))
	})
	ua.OnStrayResponse(func(*sip.Response) {})
	f.Fuzz(func(t *testing.T, frame []byte) {
		reg, err := ua.Request(fuzzClientRequest(sip.REGISTER, fuzzRegisterBranch))
		if err != nil {
			t.Fatal(err)
		}
		inv, err := ua.Request(fuzzClientRequest(sip.INVITE, fuzzInviteBranch))
		if err != nil {
			t.Fatal(err)
		}
		hang := time.AfterFunc(10*time.Second, func() { panic("a frame hung the UA: " + string(frame)) })
		ua.handle(frame)
		hang.Stop()
		reg.Terminate()
		inv.Terminate()
		for range inv.Responses() { // wait until both are gone: the next input starts clean
		}
		for range reg.Responses() {
		}
	})
}

const (
	fuzzRegisterBranch = "z9hG4bKfuzzregister"
	fuzzInviteBranch   = "z9hG4bKfuzzinvite"
)

// fuzzClientRequest is a request of ours with a fixed branch, so that seeded
// responses match its transaction.
func fuzzClientRequest(method sip.RequestMethod, branch string) *sip.Request {
	req := sip.NewRequest(method, sip.Uri{Scheme: "sip", User: "bob", Host: "example.test"})
	via := &sip.ViaHeader{ProtocolName: "SIP", ProtocolVersion: "2.0", Transport: "WSS", Host: "a.invalid", Params: sip.NewParams()}
	via.Params.Add("branch", branch)
	req.AppendHeader(via)
	from := &sip.FromHeader{Address: sip.Uri{Scheme: "sip", User: "alice", Host: "example.test"}, Params: sip.NewParams()}
	from.Params.Add("tag", "fuzzfrom")
	req.AppendHeader(from)
	req.AppendHeader(&sip.ToHeader{Address: sip.Uri{Scheme: "sip", User: "bob", Host: "example.test"}, Params: sip.NewParams()})
	cid := sip.CallIDHeader("fuzz-" + string(method))
	req.AppendHeader(&cid)
	req.AppendHeader(&sip.CSeqHeader{SeqNo: 1, MethodName: method})
	return req
}

// discard is a Transport that writes nowhere.
type discard struct{}

func (discard) Send([]byte) error { return nil }
func (discard) Close() error      { return nil }
