package farend

import (
	"net"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Message is one SIP message the far end sent or received, exactly as it
// crossed its UDP socket, so tests can assert on the wire.
type Message struct {
	Time   time.Time
	Sent   bool   // true if the far end sent it, false if it received it
	Remote string // the other end of the UDP exchange (Kamailio), host:port
	Raw    string // the whole message: start line, headers, blank line, body
}

// StartLine is the request line or status line.
func (m Message) StartLine() string {
	l, _, _ := strings.Cut(m.Raw, "\r\n")
	return l
}

// IsRequest reports whether the message is a request.
func (m Message) IsRequest() bool { return !strings.HasPrefix(m.Raw, "SIP/2.0 ") }

// Method is the request method, or for a response the method in its CSeq.
func (m Message) Method() string {
	if m.IsRequest() {
		meth, _, _ := strings.Cut(m.StartLine(), " ")
		return meth
	}
	f := strings.Fields(m.Header("CSeq"))
	if len(f) == 2 {
		return f[1]
	}
	return ""
}

// StatusCode is the response code, 0 for requests.
func (m Message) StatusCode() int {
	if m.IsRequest() {
		return 0
	}
	f := strings.Fields(m.StartLine())
	if len(f) < 2 {
		return 0
	}
	n, _ := strconv.Atoi(f[1])
	return n
}

// HeaderBlock returns the header lines (without start line and body).
func (m Message) HeaderBlock() string {
	head, _, _ := strings.Cut(m.Raw, "\r\n\r\n")
	_, hs, _ := strings.Cut(head, "\r\n")
	return hs
}

// Body returns the message body.
func (m Message) Body() string {
	_, body, _ := strings.Cut(m.Raw, "\r\n\r\n")
	return body
}

// compactNames maps RFC 3261 compact header names to full ones.
var compactNames = map[string]string{
	"i": "call-id", "f": "from", "t": "to", "v": "via", "m": "contact",
	"l": "content-length", "c": "content-type", "k": "supported", "s": "subject",
}

// Headers returns every value of the named header (case-insensitive,
// compact forms understood), in order.
func (m Message) Headers(name string) []string {
	name = strings.ToLower(name)
	var out []string
	for _, line := range strings.Split(m.HeaderBlock(), "\r\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		k = strings.ToLower(strings.TrimSpace(k))
		if full, ok := compactNames[k]; ok {
			k = full
		}
		if k == name {
			out = append(out, strings.TrimSpace(v))
		}
	}
	return out
}

// Header returns the first value of the named header, or "".
func (m Message) Header(name string) string {
	if v := m.Headers(name); len(v) > 0 {
		return v[0]
	}
	return ""
}

// CallID is the Call-ID header.
func (m Message) CallID() string { return m.Header("Call-ID") }

// wireLog is the ordered record of messages on the far end's socket.
type wireLog struct {
	mu   sync.Mutex
	msgs []Message
}

func (w *wireLog) add(sent bool, remote net.Addr, b []byte) {
	s := string(b)
	if strings.TrimSpace(s) == "" { // CRLF keep-alives
		return
	}
	r := ""
	if remote != nil {
		r = remote.String()
	}
	w.mu.Lock()
	w.msgs = append(w.msgs, Message{Time: time.Now(), Sent: sent, Remote: r, Raw: s})
	w.mu.Unlock()
}

func (w *wireLog) all() []Message {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]Message(nil), w.msgs...)
}

// recordingConn is the far end's UDP socket; sipgo reads and writes every
// SIP message through it, so it sees the wire exactly.
type recordingConn struct {
	net.PacketConn
	log *wireLog
}

func (c *recordingConn) ReadFrom(b []byte) (int, net.Addr, error) {
	n, addr, err := c.PacketConn.ReadFrom(b)
	if err == nil {
		c.log.add(false, addr, b[:n])
	}
	return n, addr, err
}

func (c *recordingConn) WriteTo(b []byte, addr net.Addr) (int, error) {
	n, err := c.PacketConn.WriteTo(b, addr)
	if err == nil {
		c.log.add(true, addr, b[:n])
	}
	return n, err
}
