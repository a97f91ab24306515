package kamailio

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"

	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"
)

// WSConn is a minimal SIP-over-WebSocket client (RFC 7118, subprotocol
// "sip") for tests that want to play a browser by hand: it sends and
// receives whole SIP messages as text frames and does nothing else.
type WSConn struct {
	conn net.Conn
	wmu  sync.Mutex // serialises frame writes (ours and pong replies)
	msgs chan string
	done chan struct{}
	err  error // why the reader stopped; read after done is closed
}

// DialWS opens a WebSocket with subprotocol "sip" to url (e.g. Server.WSURL).
func DialWS(ctx context.Context, url string) (*WSConn, error) {
	d := ws.Dialer{Protocols: []string{"sip"}}
	conn, br, hs, err := d.Dial(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("websocket dial %s: %w", url, err)
	}
	if hs.Protocol != "sip" {
		conn.Close()
		return nil, fmt.Errorf("websocket %s: server chose subprotocol %q, want sip", url, hs.Protocol)
	}
	c := &WSConn{conn: conn, msgs: make(chan string, 64), done: make(chan struct{})}
	var r io.Reader = conn
	if br != nil {
		r = io.MultiReader(br, conn)
	}
	go c.readLoop(r)
	return c, nil
}

// LocalAddr is the client's TCP address, which Kamailio records as the
// "received" address of contacts registered over this connection.
func (c *WSConn) LocalAddr() string { return c.conn.LocalAddr().String() }

// Send writes one SIP message as a text frame.
func (c *WSConn) Send(msg string) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return wsutil.WriteClientMessage(c.conn, ws.OpText, []byte(msg))
}

// Recv returns the next SIP message received, or an error when ctx ends or
// the connection closes.
func (c *WSConn) Recv(ctx context.Context) (string, error) {
	select {
	case m := <-c.msgs:
		return m, nil
	case <-ctx.Done():
		return "", ctx.Err()
	case <-c.done:
		select {
		case m := <-c.msgs:
			return m, nil
		default:
		}
		return "", c.err
	}
}

// Close closes the TCP connection without a closing handshake, like a
// browser tab that goes away.
func (c *WSConn) Close() error { return c.conn.Close() }

func (c *WSConn) readLoop(r io.Reader) {
	defer close(c.done)
	rw := struct {
		io.Reader
		io.Writer
	}{r, lockedWriter{c}}
	for {
		data, op, err := wsutil.ReadServerData(rw)
		if err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) {
				err = fmt.Errorf("websocket closed: %w", err)
			}
			c.err = err
			return
		}
		if op == ws.OpText || op == ws.OpBinary {
			c.msgs <- string(data)
		}
	}
}

// lockedWriter lets the reader answer pings without racing Send.
type lockedWriter struct{ c *WSConn }

func (w lockedWriter) Write(p []byte) (int, error) {
	w.c.wmu.Lock()
	defer w.c.wmu.Unlock()
	return w.c.conn.Write(p)
}
