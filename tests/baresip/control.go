package baresip

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Event is one event baresip reported over ctrl_tcp, e.g. CALL_INCOMING,
// CALL_ESTABLISHED, CALL_DTMF_START (Param is the digit), CALL_CLOSED.
type Event struct {
	Type       string `json:"type"`
	Class      string `json:"class"`
	AccountAOR string `json:"accountaor"`
	Direction  string `json:"direction"`
	PeerURI    string `json:"peeruri"`
	ID         string `json:"id"`
	Param      string `json:"param"`
}

// response is the answer to one command.
type response struct {
	OK    bool   `json:"ok"`
	Data  string `json:"data"`
	Token string `json:"token"`
}

// control is the ctrl_tcp connection: commands out, responses and events in.
type control struct {
	conn net.Conn

	mu      sync.Mutex
	events  []Event
	changed chan struct{} // closed and replaced on every event or response
	replies map[string]response
	next    int
	err     error
}

func newControl(conn net.Conn) *control {
	c := &control{conn: conn, changed: make(chan struct{}), replies: map[string]response{}}
	go c.read()
	return c
}

func (c *control) close() { _ = c.conn.Close() }

// read parses netstrings ("<len>:<json>,") until the connection ends.
func (c *control) read() {
	r := bufio.NewReader(c.conn)
	for {
		msg, err := readNetstring(r)
		if err != nil {
			c.mu.Lock()
			c.err = err
			c.wakeLocked()
			c.mu.Unlock()
			return
		}
		var head struct {
			Event    bool `json:"event"`
			Response bool `json:"response"`
		}
		if json.Unmarshal(msg, &head) != nil {
			continue
		}
		c.mu.Lock()
		switch {
		case head.Event:
			var ev Event
			if json.Unmarshal(msg, &ev) == nil {
				c.events = append(c.events, ev)
			}
		case head.Response:
			var res response
			if json.Unmarshal(msg, &res) == nil {
				c.replies[res.Token] = res
			}
		}
		c.wakeLocked()
		c.mu.Unlock()
	}
}

func (c *control) wakeLocked() {
	close(c.changed)
	c.changed = make(chan struct{})
}

func readNetstring(r *bufio.Reader) ([]byte, error) {
	head, err := r.ReadString(':')
	if err != nil {
		return nil, err
	}
	n, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(head, ":")))
	if err != nil || n < 0 || n > 1<<20 {
		return nil, fmt.Errorf("bad netstring length %q", head)
	}
	buf := make([]byte, n+1)
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, err
	}
	if buf[n] != ',' {
		return nil, errors.New("netstring without its comma")
	}
	return buf[:n], nil
}

// command sends one command and waits for its response.
func (c *control) command(name, params string, timeout time.Duration) (string, error) {
	c.mu.Lock()
	c.next++
	token := strconv.Itoa(c.next)
	c.mu.Unlock()
	body, _ := json.Marshal(map[string]string{"command": name, "params": params, "token": token})
	if _, err := fmt.Fprintf(c.conn, "%d:%s,", len(body), body); err != nil {
		return "", err
	}
	deadline := time.After(timeout)
	for {
		c.mu.Lock()
		res, ok := c.replies[token]
		err, wake := c.err, c.changed
		c.mu.Unlock()
		if ok {
			if !res.OK {
				return res.Data, fmt.Errorf("baresip %s %s: %s", name, params, res.Data)
			}
			return res.Data, nil
		}
		if err != nil {
			return "", err
		}
		select {
		case <-wake:
		case <-deadline:
			return "", fmt.Errorf("baresip %s: no response in %v", name, timeout)
		}
	}
}

// waitEvent waits for the first event of type kind at index from or later.
func (c *control) waitEvent(kind string, from int, timeout time.Duration) (Event, int, error) {
	deadline := time.After(timeout)
	for {
		c.mu.Lock()
		for i := from; i < len(c.events); i++ {
			if c.events[i].Type == kind {
				ev := c.events[i]
				c.mu.Unlock()
				return ev, i, nil
			}
		}
		err, wake := c.err, c.changed
		c.mu.Unlock()
		if err != nil {
			return Event{}, 0, err
		}
		select {
		case <-wake:
		case <-deadline:
			return Event{}, 0, fmt.Errorf("no %s event from baresip in %v", kind, timeout)
		}
	}
}

func (c *control) snapshot() []Event {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Event(nil), c.events...)
}
