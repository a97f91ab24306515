package devpbx

import (
	"bufio"
	"bytes"
	"net"
	"sync"
	"time"
)

// maxRequestHead bounds how much of a connection's first request is read
// to decide where it goes.
const maxRequestHead = 8192

// splitListener shares one TCP port between the web server and the SIP
// WebSocket transport, so the demo needs one URL: it reads the head of the
// first request on each new connection and hands WebSocket upgrades to SIP
// and everything else to HTTP. (Browsers never turn a pooled HTTP
// connection into a WebSocket, so the first request decides.) The bytes
// read are replayed, so each side parses the request itself.
type splitListener struct {
	inner     net.Listener
	ws, web   *chanListener
	onWSClose func(raddr string) // a SIP WebSocket connection closed
}

// newSplitListener starts sorting the connections of l; close the two
// listeners it returns (or l) to stop.
func newSplitListener(l net.Listener, onWSClose func(raddr string)) (ws, web net.Listener) {
	s := &splitListener{inner: l, ws: newChanListener(l), web: newChanListener(l), onWSClose: onWSClose}
	go s.accept()
	return s.ws, s.web
}

func (s *splitListener) accept() {
	for {
		c, err := s.inner.Accept()
		if err != nil {
			s.ws.Close()
			s.web.Close()
			return
		}
		go s.sort(c)
	}
}

// sort reads the request head and passes the connection on. A connection
// that sends nothing for 30 s (a browser's unused preconnection) is closed,
// as a web server's header timeout would.
func (s *splitListener) sort(c net.Conn) {
	_ = c.SetReadDeadline(time.Now().Add(30 * time.Second))
	r := bufio.NewReaderSize(c, maxRequestHead)
	head := peekHead(r)
	if len(head) == 0 {
		c.Close()
		return
	}
	_ = c.SetReadDeadline(time.Time{})
	pc := &peekedConn{Conn: c, r: r}
	to := s.web
	if isWebSocketUpgrade(head) {
		to = s.ws
		raddr := c.RemoteAddr().String()
		pc.onClose = func() { s.onWSClose(raddr) }
	}
	if !to.deliver(pc) {
		c.Close()
	}
}

// peekHead returns the buffered bytes up to the end of the request head
// (or what arrived before an error, or the first maxRequestHead bytes).
func peekHead(r *bufio.Reader) []byte {
	for {
		// Peek(n) waits for one byte more than is buffered, then look at all.
		_, err := r.Peek(r.Buffered() + 1)
		b, _ := r.Peek(r.Buffered())
		if i := bytes.Index(b, []byte("\r\n\r\n")); i >= 0 {
			return b[:i]
		}
		if err != nil || len(b) >= maxRequestHead {
			return b
		}
	}
}

// isWebSocketUpgrade reports whether an HTTP request head asks for a
// WebSocket (RFC 6455 §4.1: GET with Upgrade: websocket).
func isWebSocketUpgrade(head []byte) bool {
	if !bytes.HasPrefix(head, []byte("GET ")) {
		return false
	}
	for _, line := range bytes.Split(head, []byte("\r\n"))[1:] {
		name, value, ok := bytes.Cut(line, []byte(":"))
		if ok && bytes.EqualFold(bytes.TrimSpace(name), []byte("Upgrade")) &&
			bytes.Contains(bytes.ToLower(value), []byte("websocket")) {
			return true
		}
	}
	return false
}

// peekedConn is a connection whose first bytes were already read into r.
type peekedConn struct {
	net.Conn
	r       *bufio.Reader
	onClose func()
	once    sync.Once
}

func (c *peekedConn) Read(b []byte) (int, error) { return c.r.Read(b) }

func (c *peekedConn) Close() error {
	c.once.Do(func() {
		if c.onClose != nil {
			c.onClose()
		}
	})
	return c.Conn.Close()
}

// chanListener is a net.Listener fed by splitListener.
type chanListener struct {
	addr  net.Addr
	inner net.Listener
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
}

func newChanListener(inner net.Listener) *chanListener {
	return &chanListener{addr: inner.Addr(), inner: inner, conns: make(chan net.Conn), done: make(chan struct{})}
}

func (l *chanListener) deliver(c net.Conn) bool {
	select {
	case l.conns <- c:
		return true
	case <-l.done:
		return false
	}
}

// Accept waits for the next connection sorted to this side.
func (l *chanListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

// Close stops this side and the shared socket.
func (l *chanListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return l.inner.Close()
}

func (l *chanListener) Addr() net.Addr { return l.addr }
