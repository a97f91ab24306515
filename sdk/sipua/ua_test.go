package sipua

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// capture is a Transport that records what the UA writes.
type capture struct{ frames chan string }

func (c *capture) Send(f []byte) error { c.frames <- string(f); return nil }
func (c *capture) Close() error        { return nil }

func (c *capture) next(t *testing.T) string {
	t.Helper()
	select {
	case f := <-c.frames:
		return f
	case <-time.After(2 * time.Second):
		t.Fatal("nothing written")
		return ""
	}
}

const optionsFromServer = "OPTIONS sip:abc@xyz.invalid;transport=ws SIP/2.0\r\n" +
	"Via: SIP/2.0/WS 127.0.0.1:8080;branch=z9hG4bKopt1\r\n" +
	"From: <sip:server@example.test>;tag=s1\r\n" +
	"To: <sip:alice@example.test>\r\n" +
	"Call-ID: opt-1\r\n" +
	"CSeq: 1 OPTIONS\r\n" +
	"Max-Forwards: 70\r\n" +
	"Content-Length: 0\r\n\r\n"

func TestMalformedMessagesAreDroppedAndLogged(t *testing.T) {
	book, log := testLogger()
	ua := NewUA(log)
	defer ua.Close()
	c := &capture{frames: make(chan string, 8)}
	ua.Attach(c)
	handled := make(chan *sip.Request, 1)
	ua.OnRequest(func(req *sip.Request, tx *sip.ServerTx) {
		handled <- req
		_ = tx.Respond(sip.NewResponseFromRequest(req, 200, "OK", nil))
	})

	for _, bad := range []string{
		"garbage\r\n\r\n",
		"SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n", // no Via, CSeq, …
		strings.Replace(optionsFromServer, "CSeq: 1 OPTIONS", "CSeq: 1 INVITE", 1),
		"INVITE sip:x SIP/2.0\r\nVia: SIP/2.0/WS h;branch=z9hG4bK1\r\nContent-Length: 99999\r\n\r\nshort",
		"\x00\xff\xfe binary",
	} {
		ua.Receive([]byte(bad))
	}
	// A good message after the bad ones is still handled.
	ua.Receive([]byte(optionsFromServer))
	select {
	case req := <-handled:
		assert.Equal(t, sip.OPTIONS, req.Method)
	case <-time.After(2 * time.Second):
		t.Fatal("the valid request after malformed ones was not handled")
	}
	assert.True(t, strings.HasPrefix(c.next(t), "SIP/2.0 400 Bad Request"), "the CSeq mismatch is answered 400")
	assert.True(t, strings.HasPrefix(c.next(t), "SIP/2.0 200 OK"))
	assert.GreaterOrEqual(t, strings.Count(book.Text(), "dropped a malformed message"), 4)
}

func TestRetransmittedRequestIsAbsorbedByTheTransaction(t *testing.T) {
	_, log := testLogger()
	ua := NewUA(log)
	defer ua.Close()
	c := &capture{frames: make(chan string, 8)}
	ua.Attach(c)
	var calls atomic.Int32
	ua.OnRequest(func(req *sip.Request, tx *sip.ServerTx) {
		calls.Add(1)
		_ = tx.Respond(sip.NewResponseFromRequest(req, 180, "Ringing", nil))
	})
	invite := strings.NewReplacer("OPTIONS", "INVITE").Replace(optionsFromServer)
	ua.Receive([]byte(invite))
	assert.True(t, strings.HasPrefix(c.next(t), "SIP/2.0 180"))
	ua.Receive([]byte(invite)) // the proxy resends while we ring
	assert.True(t, strings.HasPrefix(c.next(t), "SIP/2.0 180"), "the last provisional is repeated")
	assert.EqualValues(t, 1, calls.Load(), "the application sees the INVITE once")
}

func TestCancelForUnknownTransactionGets481(t *testing.T) {
	_, log := testLogger()
	ua := NewUA(log)
	defer ua.Close()
	c := &capture{frames: make(chan string, 8)}
	ua.Attach(c)
	cancel := strings.NewReplacer("OPTIONS", "CANCEL").Replace(optionsFromServer)
	ua.Receive([]byte(cancel))
	assert.True(t, strings.HasPrefix(c.next(t), "SIP/2.0 481"))
}

func TestPongAndPing(t *testing.T) {
	_, log := testLogger()
	ua := NewUA(log)
	defer ua.Close()
	c := &capture{frames: make(chan string, 8)}
	require.ErrorIs(t, ua.SendPing(), ErrNotConnected)
	ua.Attach(c)
	pong := make(chan struct{}, 1)
	ua.OnPong(func() { pong <- struct{}{} })
	require.NoError(t, ua.SendPing())
	assert.Equal(t, "\r\n\r\n", c.next(t))
	ua.Receive([]byte("\r\n"))
	select {
	case <-pong:
	case <-time.After(time.Second):
		t.Fatal("pong not reported")
	}
}

func TestDetachFailsPendingRequests(t *testing.T) {
	_, log := testLogger()
	ua := NewUA(log)
	defer ua.Close()
	c := &capture{frames: make(chan string, 8)}
	ua.Attach(c)
	req := sip.NewRequest(sip.OPTIONS, sip.Uri{Scheme: "sip", Host: "example.test"})
	id := NewIdentity()
	req.AppendHeader(id.Via(false))
	req.AppendHeader(&sip.FromHeader{Address: sip.Uri{Scheme: "sip", Host: "a"}, Params: sip.NewParams()})
	req.AppendHeader(&sip.ToHeader{Address: sip.Uri{Scheme: "sip", Host: "a"}, Params: sip.NewParams()})
	cid := sip.CallIDHeader("x")
	req.AppendHeader(&cid)
	req.AppendHeader(&sip.CSeqHeader{SeqNo: 1, MethodName: sip.OPTIONS})
	tx, err := ua.Request(req)
	require.NoError(t, err)
	c.next(t)
	ua.Detach(c)
	select {
	case _, ok := <-tx.Responses():
		assert.False(t, ok)
	case <-time.After(time.Second):
		t.Fatal("pending transaction not failed on detach")
	}
	assert.ErrorIs(t, tx.Err(), ErrNotConnected)
	assert.False(t, ua.Connected())
}
