package sipua

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/stretchr/testify/require"
	"github.com/webphone/exotelsdk/sdk/logs"
)

// A panic in a client transaction's forwarding goroutine (here a log sink,
// such as the app's logger callback, that throws) is logged; the program
// goes on.
func TestPanicInAClientTransactionIsLogged(t *testing.T) {
	book, log := testLogger()
	book.Subscribe(func(e logs.Entry) {
		if strings.Contains(e.Message, "response buffer full") {
			panic("sink exploded")
		}
	})
	ua := NewUA(log)
	defer ua.Close()
	c := &capture{frames: make(chan string, 8)}
	ua.Attach(c)
	req := sip.NewRequest(sip.OPTIONS, sip.Uri{Scheme: "sip", Host: "example.test"})
	id := NewIdentity()
	req.AppendHeader(id.Via(false))
	req.AppendHeader(&sip.FromHeader{Address: sip.Uri{Scheme: "sip", Host: "a"}, Params: sip.NewParams()})
	req.AppendHeader(&sip.ToHeader{Address: sip.Uri{Scheme: "sip", Host: "a"}, Params: sip.NewParams()})
	cid := sip.CallIDHeader("guard")
	req.AppendHeader(&cid)
	req.AppendHeader(&sip.CSeqHeader{SeqNo: 1, MethodName: sip.OPTIONS})
	tx, err := ua.Request(req)
	require.NoError(t, err)
	sent, err := sip.ParseMessage([]byte(c.next(t)))
	require.NoError(t, err)
	// Nobody reads the responses: 40 provisional ones overflow the buffer.
	for i := 0; i < 40; i++ {
		res := sip.NewResponseFromRequest(sent.(*sip.Request), 180, fmt.Sprint("Ringing ", i), nil)
		ua.Receive([]byte(res.String()))
	}
	require.Eventually(t, func() bool {
		return strings.Contains(book.Text(), "client transaction failed with an internal error: sink exploded")
	}, 15*time.Second, time.Millisecond) // generous: 40 messages under wasm on a busy machine
	tx.Terminate()
}
