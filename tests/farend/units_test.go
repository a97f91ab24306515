package farend

import (
	"math"
	"strings"
	"testing"
)

func TestG711RoundTrip(t *testing.T) {
	for _, s := range []int16{0, 1, -1, 100, -100, 1000, -1000, 8000, -8000, 32000, -32000} {
		got := ulawDecode(ulawEncode(s))
		if d := math.Abs(float64(got) - float64(s)); d > math.Max(8, math.Abs(float64(s))/16) {
			t.Errorf("%d -> %d", s, got)
		}
	}
	if ulawEncode(0) != ulawSilence || ulawDecode(ulawSilence) != 0 {
		t.Error("zero must encode to 0xFF and back")
	}
}

const testSDP = "v=0\r\no=- 42 7 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=sendrecv\r\n" +
	"m=audio 9 UDP/TLS/RTP/SAVPF 0 101\r\nc=IN IP4 0.0.0.0\r\na=setup:active\r\na=mid:0\r\n" +
	"a=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=sendonly\r\n" +
	"m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=inactive\r\n"

func TestAudioDirection(t *testing.T) {
	if d := AudioDirection(testSDP); d != SendOnly {
		t.Fatalf("media-level: %q", d)
	}
	noMedia := strings.Replace(testSDP, "a=sendonly\r\n", "", 1)
	if d := AudioDirection(noMedia); d != SendRecv {
		t.Fatalf("session-level fallback: %q", d)
	}
	if d := AudioDirection(strings.Replace(noMedia, "a=sendrecv\r\n", "a=inactive\r\n", 1)); d != Inactive {
		t.Fatalf("session-level inactive: %q", d)
	}
	if d := AudioDirection("v=0\r\nm=video 9 RTP/AVP 96\r\n"); d != "" {
		t.Fatalf("no audio: %q", d)
	}
}

func TestRewriteSDP(t *testing.T) {
	out := rewriteSDP(testSDP, RecvOnly, 8, "actpass")
	if AudioDirection(out) != RecvOnly || strings.Count(out, "a=recvonly") != 1 {
		t.Fatalf("direction not rewritten:\n%s", out)
	}
	if !strings.Contains(out, "a=inactive") || strings.Contains(out, "a=sendrecv") {
		t.Fatalf("video direction must stay, session direction must go:\n%s", out)
	}
	if v, _ := sessionVersion(out); v != 8 || !strings.Contains(out, "a=setup:actpass") {
		t.Fatalf("version/setup not rewritten:\n%s", out)
	}
	// An audio section without a direction gets one appended.
	bare := strings.Replace(testSDP, "a=sendonly\r\n", "", 1)
	if AudioDirection(rewriteSDP(bare, Inactive, 9, "")) != Inactive {
		t.Fatal("direction not added")
	}
	if pts := payloadTypes(testSDP, "telephone-event"); len(pts) != 1 || pts[0] != 101 {
		t.Fatalf("telephone-event PTs %v", pts)
	}
}

func TestAnswerDirection(t *testing.T) {
	for offer, want := range map[string]string{SendOnly: RecvOnly, RecvOnly: SendOnly, Inactive: Inactive, SendRecv: SendRecv} {
		if got := answerDirection(offer); got != want {
			t.Errorf("offer %s answered %s, want %s", offer, got, want)
		}
	}
}

func TestDTMFPayload(t *testing.T) {
	for _, d := range "0123456789*#ABCD" {
		ev, ok := dtmfEvent(d)
		if !ok || dtmfDigit(ev) != d {
			t.Errorf("digit %c -> %d -> %c", d, ev, dtmfDigit(ev))
		}
	}
	p := eventPayload(11, true, 800)
	if p[0] != 11 || p[1]&0x80 == 0 || int(p[2])<<8|int(p[3]) != 800 {
		t.Fatalf("payload % x", p)
	}
}

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
