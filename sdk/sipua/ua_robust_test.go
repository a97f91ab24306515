package sipua

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// uaWithHandler is a UA on a capture transport whose handler records each
// request and answers it (with code, unless it is an ACK).
func uaWithHandler(t *testing.T, code int) (*UA, *capture, chan *sip.Request, chan *sip.ServerTx, func() string) {
	book, log := testLogger()
	ua := NewUA(log)
	t.Cleanup(ua.Close)
	c := &capture{frames: make(chan string, 16)}
	ua.Attach(c)
	reqs, txs := make(chan *sip.Request, 16), make(chan *sip.ServerTx, 16)
	ua.OnRequest(func(req *sip.Request, tx *sip.ServerTx) {
		reqs <- req
		txs <- tx
		if tx != nil {
			_ = tx.Respond(sip.NewResponseFromRequest(req, code, "Answer", nil))
		}
	})
	return ua, c, reqs, txs, book.Text
}

func nextRequest(t *testing.T, reqs chan *sip.Request) *sip.Request {
	t.Helper()
	select {
	case r := <-reqs:
		return r
	case <-time.After(2 * time.Second):
		t.Fatal("the request did not reach the handler")
		return nil
	}
}

// Valid RFC 4475 messages that were dropped: wsinv (RFC 2543-style branch,
// "tag = x" with spaces) and intmeth (a method name with odd characters,
// which the parser upper-cases) reach the handler and are answered.
func TestValidTortureMessagesAreHandled(t *testing.T) {
	for _, name := range []string{"valid-wsinv.dat", "valid-intmeth.dat"} {
		t.Run(name, func(t *testing.T) {
			frame, err := os.ReadFile("testdata/rfc4475/" + name)
			require.NoError(t, err)
			ua, c, reqs, _, _ := uaWithHandler(t, 405)
			ua.Receive(frame)
			req := nextRequest(t, reqs)
			assert.True(t, strings.HasPrefix(req.CallID().Value(), strings.TrimSuffix(strings.TrimPrefix(name, "valid-"), ".dat")))
			res := c.next(t)
			assert.True(t, strings.HasPrefix(res, "SIP/2.0 405"), res)
		})
	}
}

// An ACK for our 2xx that reuses the INVITE's branch (some servers do) goes
// to the dialog, not into the INVITE's server transaction where it was lost
// and the call ended for want of an ACK.
func TestAckReusingTheInviteBranchReachesTheDialog(t *testing.T) {
	ua, c, reqs, txs, _ := uaWithHandler(t, 200)
	invite := strings.NewReplacer("OPTIONS", "INVITE").Replace(optionsFromServer)
	ua.Receive([]byte(invite))
	nextRequest(t, reqs)
	<-txs
	ok, err := sip.ParseMessage([]byte(c.next(t)))
	require.NoError(t, err)
	require.Equal(t, 200, ok.(*sip.Response).StatusCode)
	ack := strings.NewReplacer("INVITE sip", "ACK sip", "CSeq: 1 INVITE", "CSeq: 1 ACK",
		"To: <sip:alice@example.test>", "To: "+ok.(*sip.Response).To().Value()).Replace(invite)
	ua.Receive([]byte(ack))
	got := nextRequest(t, reqs)
	assert.Equal(t, sip.ACK, got.Method)
	assert.Nil(t, <-txs, "handed over as a 2xx ACK, outside any transaction")
}

// The ACK to a non-2xx answer is still the transaction's (RFC 3261 §17.2.1).
func TestAckToAFailureStaysInTheTransaction(t *testing.T) {
	ua, c, reqs, _, _ := uaWithHandler(t, 486)
	invite := strings.NewReplacer("OPTIONS", "INVITE").Replace(optionsFromServer)
	ua.Receive([]byte(invite))
	nextRequest(t, reqs)
	busy, err := sip.ParseMessage([]byte(c.next(t)))
	require.NoError(t, err)
	ack := strings.NewReplacer("INVITE sip", "ACK sip", "CSeq: 1 INVITE", "CSeq: 1 ACK",
		"To: <sip:alice@example.test>", "To: "+busy.(*sip.Response).To().Value()).Replace(invite)
	ua.Receive([]byte(ack))
	select {
	case r := <-reqs:
		t.Fatalf("the ACK of a 486 reached the handler: %s", r.StartLine())
	case <-time.After(50 * time.Millisecond):
	}
}

// Malformed requests that still carry Via, Call-ID and CSeq are answered
// 400 (with a To tag, echoing Via, Call-ID and CSeq); others, responses and
// ACKs are dropped silently.
func TestMalformedRequestsGet400(t *testing.T) {
	mismatch := strings.Replace(optionsFromServer, "CSeq: 1 OPTIONS", "CSeq: 1 INVITE", 1)
	shortBody := strings.Replace(strings.NewReplacer("OPTIONS", "INVITE").Replace(optionsFromServer),
		"Content-Length: 0", "Content-Length: 9999", 1) + "v=0"
	negativeLength := strings.Replace(optionsFromServer, "Content-Length: 0", "Content-Length: -999", 1) // RFC 4475 ncl
	noVersion := strings.Replace(optionsFromServer, " SIP/2.0\r\n", " SIP\r\n", 1)                       // found by FuzzPhoneReceive
	for name, frame := range map[string]string{"CSeq mismatch": mismatch, "body too short": shortBody,
		"negative Content-Length": negativeLength, "version SIP": noVersion} {
		t.Run(name, func(t *testing.T) {
			ua, c, reqs, _, log := uaWithHandler(t, 200)
			ua.Receive([]byte(frame))
			res := c.next(t) // read as text: exactly what was echoed
			assert.True(t, strings.HasPrefix(res, "SIP/2.0 400 Bad Request\r\n"), res)
			assert.Contains(t, res, "\r\nVia: SIP/2.0/WS 127.0.0.1:8080;branch=z9hG4bKopt1\r\n")
			assert.Contains(t, res, "\r\nCall-ID: opt-1\r\n")
			assert.Regexp(t, `\r\nCSeq: 1 (OPTIONS|INVITE)\r\n`, res)
			assert.Regexp(t, `\r\nTo: <sip:alice@example.test>;tag=\w+\r\n`, res)
			assert.True(t, strings.HasSuffix(res, "\r\nContent-Length: 0\r\n\r\n"))
			assert.Empty(t, reqs, "the handler never sees it")
			assert.Contains(t, log(), "answered a malformed")
		})
	}
	ua, c, _, _, _ := uaWithHandler(t, 200)
	badFrom := strings.Replace(optionsFromServer, "From: <sip:server@example.test>;tag=s1",
		"f: \"unterminated <sip:server@example.test>;tag=s1", 1)
	badVia := strings.Replace(optionsFromServer, "Via: SIP/2.0/WS 127.0.0.1:8080;branch=z9hG4bKopt1",
		"Via: SIP/2.0/WSS edge.exampl<sip:alie.test;branch=", 1) // found by FuzzPhoneReceive
	for _, silent := range []string{
		badFrom, // a 400 echoing it would be unreadable too
		badVia,  // read without a host: nowhere to answer, and unreadable echoed
		strings.Replace(optionsFromServer, "SIP/2.0/WS 127.0.0.1:8080", "// 0", 1),                        // no protocol
		strings.Replace(optionsFromServer, "<sip:server@example.test>", "<sip:server@example.test:A>", 1), // read, not written back
		strings.NewReplacer("OPTIONS", "CANCEL").Replace(badVia),
		strings.Replace(strings.Replace(mismatch, "OPTIONS sip", "ACK sip", 1), "CSeq: 1 INVITE", "CSeq: 1 ACK x", 1),
		strings.Replace(optionsFromServer, "Call-ID: opt-1\r\n", "", 1) + "\x00",
		"SIP/2.0 200 OK\r\nVia: SIP/2.0/WS h;branch=z9hG4bK1\r\nCall-ID: x\r\nCSeq: 1 FOO\r\nContent-Length: 5\r\n\r\n",
	} {
		ua.Receive([]byte(silent))
	}
	ua.Receive([]byte(optionsFromServer)) // a barrier: its 200 comes first if the others were silent
	res := c.next(t)
	assert.True(t, strings.HasPrefix(res, "SIP/2.0 200"), res)
	assert.Contains(t, res, "\r\nVia: SIP/2.0/WS 127.0.0.1:8080;branch=z9hG4bKopt1\r\n", "the barrier's own answer")
}
