package sipua

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/stretchr/testify/require"
	"github.com/webphone/exotelsdk/sdk/logs"
)

// fakeServer is a Transport whose far side is a function of the test: each
// request the UA sends is parsed and handed to respond, and whatever it returns
// is fed back to the UA as received frames.
type fakeServer struct {
	t       *testing.T
	ua      *UA
	mu      sync.Mutex
	reqs    []*sip.Request
	respond func(req *sip.Request) []string
	got     chan *sip.Request
}

func newFakeServer(t *testing.T, ua *UA, respond func(*sip.Request) []string) *fakeServer {
	s := &fakeServer{t: t, ua: ua, respond: respond, got: make(chan *sip.Request, 64)}
	ua.Attach(s)
	return s
}

func (s *fakeServer) Send(frame []byte) error {
	msg, err := sip.ParseMessage(frame)
	require.NoError(s.t, err, "the UA sent an unparsable message:\n%s", frame)
	req, ok := msg.(*sip.Request)
	if !ok {
		return nil
	}
	s.mu.Lock()
	s.reqs = append(s.reqs, req)
	respond := s.respond
	s.mu.Unlock()
	s.got <- req
	if respond != nil {
		for _, r := range respond(req) {
			s.ua.Receive([]byte(r))
		}
	}
	return nil
}

func (s *fakeServer) Close() error { return nil }

func (s *fakeServer) requests() []*sip.Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*sip.Request(nil), s.reqs...)
}

func (s *fakeServer) next(t *testing.T) *sip.Request {
	t.Helper()
	select {
	case r := <-s.got:
		return r
	case <-time.After(2 * time.Second):
		t.Fatal("the UA sent nothing")
		return nil
	}
}

// reply builds the text of a response to req with extra header lines.
func reply(req *sip.Request, code int, reason string, extra ...string) string {
	res := sip.NewResponseFromRequest(req, code, reason, nil)
	for _, line := range extra {
		name, value, _ := strings.Cut(line, ":")
		res.AppendHeader(sip.NewHeader(name, strings.TrimSpace(value)))
	}
	return res.String()
}

// events collects what a Registration emits.
type events struct {
	mu   sync.Mutex
	list []RegEvent
	ch   chan RegEvent
}

func newEvents() *events { return &events{ch: make(chan RegEvent, 64)} }

func (e *events) emit(ev RegEvent) {
	e.mu.Lock()
	e.list = append(e.list, ev)
	e.mu.Unlock()
	e.ch <- ev
}

func (e *events) kinds() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []string
	for _, ev := range e.list {
		out = append(out, ev.Kind)
	}
	return out
}

func (e *events) wait(t *testing.T, kind string) RegEvent {
	t.Helper()
	deadline := time.After(3 * time.Second)
	for {
		select {
		case ev := <-e.ch:
			if ev.Kind == kind {
				return ev
			}
		case <-deadline:
			t.Fatalf("no %q event; got %v", kind, e.kinds())
		}
	}
}

func testLogger() (*logs.Book, *logs.Logger) {
	b := logs.NewBook(500)
	return b, b.Logger("test")
}

// verifyDigest checks an Authorization header the way a server would,
// independently of the code under test.
func verifyDigest(t *testing.T, header, method, password string) map[string]string {
	t.Helper()
	value := strings.TrimPrefix(header, "Digest ")
	p, err := parseAuthParams(value)
	require.NoError(t, err)
	h := md5hex
	if strings.HasPrefix(p["algorithm"], "SHA-256") {
		h = func(s string) string { sum := sha256.Sum256([]byte(s)); return hex.EncodeToString(sum[:]) }
	}
	ha1 := h(p["username"] + ":" + p["realm"] + ":" + password)
	ha2 := h(method + ":" + p["uri"])
	want := h(ha1 + ":" + p["nonce"] + ":" + p["nc"] + ":" + p["cnonce"] + ":" + p["qop"] + ":" + ha2)
	require.Equal(t, want, p["response"], "digest response does not verify")
	return p
}
