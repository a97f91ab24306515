package phone

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/stretchr/testify/require"
	"github.com/webphone/exotelsdk/sdk/sipua"
)

// waitFor is how long a test waits for something the phone does on its own goroutines.
const waitFor = 3 * time.Second

// fakeDialer is the phone's Dialer: Dial fails with err when it is set, and
// otherwise opens a new fakeConn whose requests go first to respond.
type fakeDialer struct {
	t       *testing.T
	respond func(*sip.Request) []string // installed on every new connection; may be nil

	mu     sync.Mutex
	err    error
	urls   []string
	conns  []*fakeConn
	dialed chan *fakeConn
}

func newFakeDialer(t *testing.T, respond func(*sip.Request) []string) *fakeDialer {
	return &fakeDialer{t: t, respond: respond, dialed: make(chan *fakeConn, 16)}
}

// Dial records the URL and returns a new connection, or err.
func (d *fakeDialer) Dial(_ context.Context, url string, onFrame func([]byte), onClose func(error)) (sipua.Transport, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.urls = append(d.urls, url)
	if d.err != nil {
		return nil, d.err
	}
	c := &fakeConn{t: d.t, onFrame: onFrame, onClose: onClose, respond: d.respond,
		seen: map[string]bool{}, out: make(chan sip.Message, 256)}
	d.conns = append(d.conns, c)
	d.dialed <- c
	return c, nil
}

// failWith makes every later Dial fail with err.
func (d *fakeDialer) failWith(err error) { d.mu.Lock(); d.err = err; d.mu.Unlock() }

// dialCount is how many times Dial was called.
func (d *fakeDialer) dialCount() int { d.mu.Lock(); defer d.mu.Unlock(); return len(d.urls) }

// waitConn returns the next connection the phone opens.
func (d *fakeDialer) waitConn(t *testing.T) *fakeConn {
	t.Helper()
	select {
	case c := <-d.dialed:
		return c
	case <-time.After(waitFor):
		t.Fatal("the phone did not open a connection")
		return nil
	}
}

// fakeConn is one open connection (a sipua.Transport). Every frame the phone
// writes is parsed and recorded; requests that respond answers (REGISTER) are
// handled at once, everything else is queued for the test to expect in order.
// A byte-identical frame is a retransmission: recorded, never queued.
type fakeConn struct {
	t       *testing.T
	onFrame func([]byte)
	onClose func(error)
	respond func(*sip.Request) []string

	mu     sync.Mutex
	sent   []sip.Message
	seen   map[string]bool
	closed bool
	out    chan sip.Message
}

// Send parses and records one frame; pings (blank frames) are ignored.
func (c *fakeConn) Send(frame []byte) error {
	if len(bytes.TrimSpace(frame)) == 0 {
		return nil
	}
	msg, err := sip.ParseMessage(frame)
	if err != nil {
		c.t.Errorf("the phone sent an unparsable message: %v\n%s", err, frame)
		return nil
	}
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return errors.New("fake connection closed")
	}
	again := c.seen[string(frame)]
	c.seen[string(frame)] = true
	c.sent = append(c.sent, msg)
	respond := c.respond
	c.mu.Unlock()
	if again {
		return nil
	}
	if req, ok := msg.(*sip.Request); ok && respond != nil {
		if frames := respond(req); frames != nil {
			for _, f := range frames {
				c.onFrame([]byte(f))
			}
			return nil
		}
	}
	c.out <- msg
	return nil
}

// Close is the phone closing the connection; like the browser's, it does not call onClose.
func (c *fakeConn) Close() error { c.mu.Lock(); c.closed = true; c.mu.Unlock(); return nil }

func (c *fakeConn) isClosed() bool { c.mu.Lock(); defer c.mu.Unlock(); return c.closed }

// inject delivers a frame from the server to the phone.
func (c *fakeConn) inject(text string) { c.onFrame([]byte(text)) }

// drop is the server closing the connection: the phone hears onClose.
func (c *fakeConn) drop(err error) { c.mu.Lock(); c.closed = true; c.mu.Unlock(); c.onClose(err) }

// all is every message sent so far, retransmissions and handled ones included.
func (c *fakeConn) all() []sip.Message {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]sip.Message(nil), c.sent...)
}

// next returns the next queued message, failing the test if none comes.
func (c *fakeConn) next(t *testing.T) sip.Message {
	t.Helper()
	select {
	case m := <-c.out:
		return m
	case <-time.After(waitFor):
		t.Fatal("the phone sent nothing more")
		return nil
	}
}

// nextRequest expects the next message to be a request with this method.
func (c *fakeConn) nextRequest(t *testing.T, method sip.RequestMethod) *sip.Request {
	t.Helper()
	m := c.next(t)
	req, ok := m.(*sip.Request)
	require.Truef(t, ok && req.Method == method, "want a %s request, got:\n%s", method, m)
	return req
}

// nextResponse expects the next message to be a response with this status code.
func (c *fakeConn) nextResponse(t *testing.T, code int) *sip.Response {
	t.Helper()
	m := c.next(t)
	res, ok := m.(*sip.Response)
	require.Truef(t, ok && res.StatusCode == code, "want a %d response, got:\n%s", code, m)
	return res
}

// quiet asserts that the phone sends nothing new for d.
func (c *fakeConn) quiet(t *testing.T, d time.Duration) {
	t.Helper()
	select {
	case m := <-c.out:
		t.Fatalf("the phone sent an unexpected message:\n%s", m)
	case <-time.After(d):
	}
}

// startLines summarizes every message sent, for failure messages.
func (c *fakeConn) startLines() string {
	var out []string
	for _, m := range c.all() {
		out = append(out, strings.SplitN(m.String(), "\r\n", 2)[0])
	}
	return fmt.Sprint(out)
}
