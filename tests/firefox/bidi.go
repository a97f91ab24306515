package firefox

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"

	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"
)

// bidiConn is one WebDriver BiDi session over its WebSocket: commands are
// sent with increasing ids and matched to their results; events go to
// onEvent. It is the part of the protocol the tests use, no more.
type bidiConn struct {
	conn    net.Conn
	r       io.Reader // the handshake's buffered reader, then conn
	onEvent func(method string, params json.RawMessage)

	writeMu sync.Mutex
	mu      sync.Mutex
	nextID  int
	pending map[int]chan bidiReply
	closed  error
}

type bidiReply struct {
	Type    string          `json:"type"` // "success" or "error"
	Result  json.RawMessage `json:"result"`
	Error   string          `json:"error"`
	Message string          `json:"message"`
}

// dialBiDi connects to the browser's BiDi endpoint (ws://host:port/session).
func dialBiDi(ctx context.Context, url string, onEvent func(string, json.RawMessage)) (*bidiConn, error) {
	conn, br, _, err := ws.Dial(ctx, url)
	if err != nil {
		return nil, err
	}
	c := &bidiConn{conn: conn, r: conn, onEvent: onEvent, pending: map[int]chan bidiReply{}}
	if br != nil {
		c.r = io.MultiReader(br, conn)
	}
	go c.readLoop()
	return c, nil
}

func (c *bidiConn) readLoop() {
	rw := struct {
		io.Reader
		io.Writer
	}{bufio.NewReader(c.r), &lockedWriter{c}}
	for {
		data, _, err := wsutil.ReadServerData(rw)
		if debug {
			fmt.Fprintf(os.Stderr, "bidi <- %s (%v)\n", truncate(data), err)
		}
		if err != nil {
			c.fail(err)
			return
		}
		var msg struct {
			ID     *int            `json:"id"`
			Type   string          `json:"type"`
			Method string          `json:"method"`
			Params json.RawMessage `json:"params"`
			bidiReply
		}
		if json.Unmarshal(data, &msg) != nil {
			continue
		}
		if msg.ID == nil {
			if msg.Type == "event" && c.onEvent != nil {
				c.onEvent(msg.Method, msg.Params)
			}
			continue
		}
		c.mu.Lock()
		ch := c.pending[*msg.ID]
		delete(c.pending, *msg.ID)
		c.mu.Unlock()
		if ch != nil {
			ch <- msg.bidiReply
		}
	}
}

// lockedWriter lets the reader answer pings while commands are written.
type lockedWriter struct{ c *bidiConn }

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.c.writeMu.Lock()
	defer w.c.writeMu.Unlock()
	return w.c.conn.Write(p)
}

func (c *bidiConn) fail(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed == nil {
		c.closed = err
	}
	for id, ch := range c.pending {
		close(ch)
		delete(c.pending, id)
	}
}

// call sends method with params and decodes its result into out (may be nil).
func (c *bidiConn) call(ctx context.Context, method string, params any, out any) error {
	c.mu.Lock()
	if c.closed != nil {
		err := c.closed
		c.mu.Unlock()
		return fmt.Errorf("bidi %s: connection closed: %w", method, err)
	}
	c.nextID++
	id := c.nextID
	ch := make(chan bidiReply, 1)
	c.pending[id] = ch
	c.mu.Unlock()

	b, err := json.Marshal(map[string]any{"id": id, "method": method, "params": params})
	if err != nil {
		return err
	}
	if debug {
		fmt.Fprintf(os.Stderr, "bidi -> %s\n", truncate(b))
	}
	c.writeMu.Lock()
	err = wsutil.WriteClientText(c.conn, b)
	c.writeMu.Unlock()
	if err != nil {
		return fmt.Errorf("bidi %s: %w", method, err)
	}
	select {
	case reply, ok := <-ch:
		if !ok {
			return fmt.Errorf("bidi %s: connection closed", method)
		}
		if reply.Type == "error" {
			return fmt.Errorf("bidi %s: %s: %s", method, reply.Error, reply.Message)
		}
		if out != nil {
			return json.Unmarshal(reply.Result, out)
		}
		return nil
	case <-ctx.Done():
		c.mu.Lock()
		delete(c.pending, id)
		c.mu.Unlock()
		return fmt.Errorf("bidi %s: %w", method, ctx.Err())
	}
}

func (c *bidiConn) close() error {
	c.fail(errors.New("closed"))
	return c.conn.Close()
}

// debug (FIREFOX_BIDI_DEBUG=1) writes every BiDi message to stderr.
var debug = os.Getenv("FIREFOX_BIDI_DEBUG") != ""

func truncate(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "…"
	}
	return string(b)
}
