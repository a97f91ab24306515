package kamailio

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"strings"
	"time"
)

// Ping sends one SIP OPTIONS to the server over UDP and returns nil when it
// answers 200.
func (s *Server) Ping(timeout time.Duration) error {
	conn, err := net.Dial("udp4", s.UDPAddr)
	if err != nil {
		return err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(timeout))
	local := conn.LocalAddr().String()
	branch := "z9hG4bK" + randHex(8)
	req := "OPTIONS sip:" + s.UDPAddr + " SIP/2.0\r\n" +
		"Via: SIP/2.0/UDP " + local + ";branch=" + branch + ";rport\r\n" +
		"Max-Forwards: 70\r\n" +
		"From: <sip:probe@" + s.Domain + ">;tag=" + randHex(4) + "\r\n" +
		"To: <sip:" + s.UDPAddr + ">\r\n" +
		"Call-ID: probe-" + randHex(8) + "\r\n" +
		"CSeq: 1 OPTIONS\r\n" +
		"Content-Length: 0\r\n\r\n"
	if _, err := conn.Write([]byte(req)); err != nil {
		return err
	}
	buf := make([]byte, 4096)
	n, err := conn.Read(buf)
	if err != nil {
		return err
	}
	first, _, _ := strings.Cut(string(buf[:n]), "\r\n")
	if !strings.HasPrefix(first, "SIP/2.0 200") {
		return fmt.Errorf("OPTIONS answered %q", first)
	}
	return nil
}

// probeWebSocket performs a WebSocket upgrade with subprotocol "sip".
func (s *Server) probeWebSocket(timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	c, err := DialWS(ctx, s.WSURL+"probe")
	if err != nil {
		return err
	}
	return c.Close()
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
