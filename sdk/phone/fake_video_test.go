package phone

import (
	"context"
	"fmt"
	"strings"

	"github.com/webphone/exotelsdk/sdk/media"
)

// The fake session's video side (media.Video): SetVideo and SetVideoMuted
// are recorded; its offers and answers carry an m=video section whose
// direction follows the wanted one as a browser's would.

// videoSDP is an m=video section on port with direction dir.
func videoSDP(port int, dir media.Direction) string {
	return fmt.Sprintf("m=video %d RTP/AVP 96\r\na=rtpmap:96 VP8/90000\r\na=%s\r\n", port, dir)
}

// failCamera makes SetVideo(SendRecv) fail with err from now on.
func (m *fakeMedia) failCamera(err error) { m.mu.Lock(); m.cameraErr = err; m.mu.Unlock() }

func (s *fakeSession) SetVideo(_ context.Context, dir media.Direction) error {
	s.m.mu.Lock()
	err := s.m.cameraErr
	s.m.mu.Unlock()
	if dir == media.SendRecv && err != nil {
		s.record(mediaOp{Op: "SetVideo", Dir: dir})
		return err
	}
	s.mu.Lock()
	s.video = dir
	s.hasLine = s.hasLine || dir != media.Inactive
	s.mu.Unlock()
	s.record(mediaOp{Op: "SetVideo", Dir: dir})
	return nil
}

func (s *fakeSession) SetVideoMuted(muted bool) {
	s.record(mediaOp{Op: "SetVideoMuted", Muted: muted})
}

// wantedVideo is the direction the phone last asked for ("" when never).
func (s *fakeSession) wantedVideo() media.Direction {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.video
}

// offerVideo is the m=video section of an offer made with audio direction
// dir: none until video was asked for or offered, inactive once removed.
func (s *fakeSession) offerVideo(dir media.Direction) string {
	s.mu.Lock()
	want, line := s.video, s.hasLine
	s.mu.Unlock()
	if !line {
		return ""
	}
	if want == "" {
		want = media.Inactive
	}
	return videoSDP(40002, withHold(want, dir))
}

// answerVideo is the m=video section of the answer to offer: none when the
// offer has none, else the wanted direction met with the offered one.
func (s *fakeSession) answerVideo(offer string) string {
	_, section, ok := strings.Cut(offer, "m=video ")
	if !ok {
		return ""
	}
	s.mu.Lock()
	s.hasLine = true
	s.mu.Unlock()
	if strings.HasPrefix(section, "0 ") {
		return videoSDP(0, media.Inactive)
	}
	want := s.wantedVideo()
	if want == "" {
		want = media.RecvOnly // what a browser makes of an unknown stream
	}
	return videoSDP(40002, meet(want, answerDirection(sdpDirection(section))))
}

// withHold is video direction want while the audio is offered dir.
func withHold(want, dir media.Direction) media.Direction {
	if dir == media.SendOnly || dir == media.Inactive {
		return meet(want, media.SendOnly)
	}
	return want
}

// meet is the direction both a and b allow.
func meet(a, b media.Direction) media.Direction {
	send := canSend(a) && canSend(b)
	recv := canRecv(a) && canRecv(b)
	switch {
	case send && recv:
		return media.SendRecv
	case send:
		return media.SendOnly
	case recv:
		return media.RecvOnly
	}
	return media.Inactive
}

func canSend(d media.Direction) bool { return d == media.SendRecv || d == media.SendOnly }
func canRecv(d media.Direction) bool { return d == media.SendRecv || d == media.RecvOnly }
