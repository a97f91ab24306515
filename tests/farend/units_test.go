package farend

import (
	"testing"
)

func TestMessageHeaders(t *testing.T) {
	m := Message{Raw: "SIP/2.0 407 Proxy Authentication Required\r\nv: SIP/2.0/UDP a\r\nVia: SIP/2.0/UDP b\r\n" +
		"CSeq: 5 INVITE\r\ni: abc\r\n\r\nbody"}
	if m.IsRequest() || m.StatusCode() != 407 || m.Method() != "INVITE" || m.CallID() != "abc" {
		t.Fatalf("parsed %v %d %q %q", m.IsRequest(), m.StatusCode(), m.Method(), m.CallID())
	}
	if v := m.Headers("Via"); len(v) != 2 || m.Body() != "body" {
		t.Fatalf("vias %q body %q", v, m.Body())
	}
}
