package farend

import (
	"github.com/webphone/exotelsdk/internal/pcmu"
)

// SDP media directions (RFC 3264), as AudioDirection, LocalDirection and
// RemoteDirection report them.
const (
	SendRecv = pcmu.SendRecv
	SendOnly = pcmu.SendOnly
	RecvOnly = pcmu.RecvOnly
	Inactive = pcmu.Inactive
)

// PayloadTypeTelephoneEvent is the payload type the far end offers for
// RFC 4733 telephone-event/8000; PCMU is the static payload type 0.
const PayloadTypeTelephoneEvent = pcmu.PayloadTypeTelephoneEvent

// SilenceDBFS is what AudioLevel reports when no audio (or only digital
// silence) arrived in the window.
const SilenceDBFS = pcmu.SilenceDBFS

// AudioDirection returns the direction attribute that applies to the first
// audio m-line of sdp: its own a=sendrecv/sendonly/recvonly/inactive, else
// a session-level one, else "sendrecv" (the RFC 3264 default). It returns
// "" when sdp has no audio m-line.
func AudioDirection(sdp string) string { return pcmu.AudioDirection(sdp) }

// toneAmplitude is the far end's tone, of full scale: a sine at about
// -9 dBFS RMS.
const toneAmplitude = 0.5

// mediaSession is the WebRTC side of one call (a pcmu.Session) with the
// tone PlayTone sets: silence until then.
type mediaSession struct {
	*pcmu.Session
	tone *pcmu.Tone
}

// newMediaSession makes a call's media; with video its offers and answers
// carry VP8 video that echoes what it receives (pcmu.VideoEcho).
func newMediaSession(video bool) (*mediaSession, error) {
	tone := pcmu.NewTone(toneAmplitude)
	s, err := pcmu.NewSession(pcmu.Options{Name: "farend", Source: tone, Video: video})
	if err != nil {
		return nil, err
	}
	return &mediaSession{Session: s, tone: tone}, nil
}

// VideoFigures is what a far end with Config.Video received: complete VP8
// frames, keyframes, and the resolution of the last keyframe.
type VideoFigures = pcmu.VideoFigures
