// Package sipua is the SIP user agent of the SDK: it carries SIP messages over one
// message-oriented connection (a browser WebSocket, RFC 7118), matches them to
// sipgo's transaction state machines, and builds the registration and the dialogs
// on top. It is pure Go and knows nothing of the browser.
package sipua

import (
	"errors"
	"net"

	"github.com/emiago/sipgo/sip"
)

// Transport is one open connection to the SIP server that carries whole SIP
// messages, one per frame: in the browser a WebSocket with subprotocol "sip".
// Whoever opens it feeds every received frame to UA.Receive.
type Transport interface {
	Send(frame []byte) error
	Close() error
}

// ErrNotConnected is returned when a message is written while no transport is attached.
var ErrNotConnected = errors.New("not connected to the SIP server")

// uaConn is the sip.Connection that sipgo's transactions write through. It always
// writes to the UA's current transport, so a transaction started before a
// reconnect answers over the new connection. Transactions may "close" it; that
// never closes the transport, which the UA owns.
type uaConn struct{ ua *UA }

func (c uaConn) LocalAddr() net.Addr            { return wsAddr{} }
func (c uaConn) WriteMsg(msg sip.Message) error { return c.ua.Send(msg) }
func (c uaConn) Ref(int) int                    { return 1 }
func (c uaConn) TryClose() (int, error)         { return 1, nil }
func (c uaConn) Close() error                   { return nil }

type wsAddr struct{}

func (wsAddr) Network() string { return "ws" }
func (wsAddr) String() string  { return "websocket" }

// startLine names a message in logs: "INVITE sip:bob@x SIP/2.0" or "SIP/2.0 200 OK".
func startLine(msg sip.Message) string {
	switch m := msg.(type) {
	case *sip.Request:
		return m.StartLine()
	case *sip.Response:
		return m.StartLine()
	}
	return "unknown message"
}
