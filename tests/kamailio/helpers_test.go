package kamailio_test

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
	"github.com/icholy/digest"
	"github.com/webphone/exotelsdk/tests/kamailio"
)

// udpUA is a sipgo user agent bound to one UDP socket on 127.0.0.1, used
// both to send requests and to serve requests Kamailio routes to it.
type udpUA struct {
	ua     *sipgo.UserAgent
	client *sipgo.Client
	server *sipgo.Server
	host   string
	port   int
}

func newUDPUA(t *testing.T) *udpUA {
	t.Helper()
	conn, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := conn.LocalAddr().(*net.UDPAddr).Port
	ua, err := sipgo.NewUA(sipgo.WithUserAgent("kamailio-test"))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := sipgo.NewServer(ua)
	if err != nil {
		t.Fatal(err)
	}
	cli, err := sipgo.NewClient(ua,
		sipgo.WithClientHostname("127.0.0.1"), sipgo.WithClientPort(port),
		sipgo.WithClientConnectionAddr(conn.LocalAddr().String()))
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.ServeUDP(conn) }()
	t.Cleanup(func() { ua.Close(); conn.Close() })
	// Requests must leave from the served socket: wait until sipgo has it.
	for i := 0; ; i++ {
		if c, _ := ua.TransportLayer().GetConnection("udp", conn.LocalAddr().String()); c != nil {
			break
		}
		if i > 200 {
			t.Fatal("sipgo did not start serving UDP")
		}
		time.Sleep(5 * time.Millisecond)
	}
	return &udpUA{ua: ua, client: cli, server: srv, host: "127.0.0.1", port: port}
}

// contactURI is where Kamailio should send requests for this UA.
func (u *udpUA) contact(user string) sip.ContactHeader {
	return sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: user, Host: u.host, Port: u.port}}
}

// register sends REGISTER for user with the given password and expiry,
// answering one digest challenge, and returns the final response.
func (u *udpUA) register(ctx context.Context, srv *kamailio.Server, user, password string, expires int) (*sip.Response, error) {
	aor := sip.Uri{Scheme: "sip", User: user, Host: srv.Domain}
	req := sip.NewRequest(sip.REGISTER, sip.Uri{Scheme: "sip", Host: srv.Domain})
	req.SetDestination(srv.UDPAddr)
	from := &sip.FromHeader{Address: aor}
	from.Params.Add("tag", sip.GenerateTagN(10))
	req.AppendHeader(from)
	req.AppendHeader(&sip.ToHeader{Address: aor})
	c := u.contact(user)
	req.AppendHeader(&c)
	req.AppendHeader(sip.NewHeader("Expires", fmt.Sprint(expires)))
	res, err := u.client.Do(ctx, req)
	if err != nil || res.StatusCode != 401 {
		return res, err
	}
	return u.client.DoDigestAuth(ctx, req, res, sipgo.DigestAuth{Username: user, Password: password})
}

// rawMsg assembles a SIP message from a start line, headers and body,
// adding Content-Length.
func rawMsg(start string, headers []string, body string) string {
	var b strings.Builder
	b.WriteString(start + "\r\n")
	for _, h := range headers {
		b.WriteString(h + "\r\n")
	}
	fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n%s", len(body), body)
	return b.String()
}

// parse parses a SIP message received as text.
func parse(t *testing.T, raw string) sip.Message {
	t.Helper()
	m, err := sip.NewParser().ParseSIP([]byte(raw))
	if err != nil {
		t.Fatalf("parse SIP: %v\n%s", err, raw)
	}
	return m
}

// authHeader computes a digest Authorization/Proxy-Authorization value
// answering the challenge in res for the given request line.
func authHeader(t *testing.T, res *sip.Response, method, uri, user, password string) string {
	t.Helper()
	name := "WWW-Authenticate"
	if res.StatusCode == 407 {
		name = "Proxy-Authenticate"
	}
	h := res.GetHeader(name)
	if h == nil {
		t.Fatalf("%d without %s", res.StatusCode, name)
	}
	chal, err := digest.ParseChallenge(h.Value())
	if err != nil {
		t.Fatal(err)
	}
	cred, err := digest.Digest(chal, digest.Options{Method: method, URI: uri, Username: user, Password: password})
	if err != nil {
		t.Fatal(err)
	}
	return cred.String()
}

// replyTo builds a response to a request received as raw text, copying the
// headers RFC 3261 says a response carries.
func replyTo(t *testing.T, req *sip.Request, code int, reason, toTag string, extra []string, body string) string {
	t.Helper()
	var hs []string
	for _, v := range req.GetHeaders("Via") {
		hs = append(hs, "Via: "+v.Value())
	}
	for _, v := range req.GetHeaders("Record-Route") {
		hs = append(hs, "Record-Route: "+v.Value())
	}
	to := req.To().Value()
	if toTag != "" && !strings.Contains(to, "tag=") {
		to += ";tag=" + toTag
	}
	hs = append(hs, "From: "+req.From().Value(), "To: "+to, "Call-ID: "+req.CallID().Value(), "CSeq: "+req.CSeq().Value())
	hs = append(hs, extra...)
	return rawMsg(fmt.Sprintf("SIP/2.0 %d %s", code, reason), hs, body)
}

// firstLine is the start line of m, for error messages.
func firstLine(m sip.Message) string {
	l, _, _ := strings.Cut(m.String(), "\r\n")
	return l
}
