package rtpengine_test

import (
	"strings"
	"testing"
	"time"

	"github.com/webphone/exotelsdk/tests/rtpengine"
)

// rtpengine starts in user space on loopback and answers its ng protocol.
func TestStartAnswersPing(t *testing.T) {
	s := rtpengine.Start(t, rtpengine.Options{})
	if err := s.Ping(time.Second); err != nil {
		t.Fatal(err)
	}
	reply, err := s.Command("d7:command4:liste", time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(reply, "6:result2:ok") {
		t.Fatalf("list answered %q", reply)
	}
}
