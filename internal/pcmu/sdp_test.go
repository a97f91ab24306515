package pcmu

import (
	"strings"
	"testing"
)

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
	out := RewriteSDP(testSDP, RecvOnly, 8, "actpass")
	if AudioDirection(out) != RecvOnly || strings.Count(out, "a=recvonly") != 1 {
		t.Fatalf("direction not rewritten:\n%s", out)
	}
	if !strings.Contains(out, "a=inactive") || strings.Contains(out, "a=sendrecv") {
		t.Fatalf("video direction must stay, session direction must go:\n%s", out)
	}
	if v, _ := SessionVersion(out); v != 8 || !strings.Contains(out, "a=setup:actpass") || SetupOf(out) != "actpass" {
		t.Fatalf("version/setup not rewritten:\n%s", out)
	}
	// An audio section without a direction gets one appended.
	bare := strings.Replace(testSDP, "a=sendonly\r\n", "", 1)
	if AudioDirection(RewriteSDP(bare, Inactive, 9, "")) != Inactive {
		t.Fatal("direction not added")
	}
	if pts := PayloadTypes(testSDP, "telephone-event"); len(pts) != 1 || pts[0] != 101 {
		t.Fatalf("telephone-event PTs %v", pts)
	}
}

func TestAnswerDirection(t *testing.T) {
	for offer, want := range map[string]string{SendOnly: RecvOnly, RecvOnly: SendOnly, Inactive: Inactive, SendRecv: SendRecv} {
		if got := AnswerDirection(offer); got != want {
			t.Errorf("offer %s answered %s, want %s", offer, got, want)
		}
	}
	if !CanSend(SendRecv) || !CanSend(SendOnly) || CanSend(RecvOnly) || CanSend(Inactive) {
		t.Error("CanSend")
	}
}
