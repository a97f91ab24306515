package pcmu

import (
	"testing"

	"github.com/pion/rtp"
	"github.com/pion/rtp/codecs"
	"github.com/stretchr/testify/assert"
)

func TestVideoDirectionAndItsRewrite(t *testing.T) {
	sdp := "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=sendonly\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=sendonly\r\n"
	assert.Equal(t, SendOnly, videoDirection(sdp))
	out := setVideoDirection(sdp, RecvOnly)
	assert.Equal(t, RecvOnly, videoDirection(out))
	assert.Equal(t, SendOnly, AudioDirection(out), "the audio is left alone")
	assert.Equal(t, "", videoDirection("v=0\r\nm=audio 9 RTP/AVP 0\r\n"), "no video")
	assert.Equal(t, "", videoDirection("v=0\r\nm=video 0 RTP/AVP 96\r\na=inactive\r\n"), "rejected video")
	assert.Equal(t, SendRecv, videoDirection("v=0\r\nm=video 9 RTP/AVP 96\r\n"), "the default")
}

func TestVideoEchoCountsFramesAndReadsKeyframeSize(t *testing.T) {
	v := &VideoEcho{}
	var vp8 codecs.VP8Packet
	// A keyframe of 640x480 in two packets (descriptor byte 0x10: S=1, PID 0),
	// then a delta frame in one.
	key := []byte{0x10, 0x00, 0x00, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0xe0, 0x01, 0xff}
	v.count(&vp8, &rtp.Packet{Payload: key})
	v.count(&vp8, &rtp.Packet{Header: rtp.Header{Marker: true}, Payload: []byte{0x00, 0xaa}})
	v.count(&vp8, &rtp.Packet{Header: rtp.Header{Marker: true}, Payload: []byte{0x10, 0x01, 0x00, 0x00}})
	assert.Equal(t, VideoFigures{Frames: 2, Keyframes: 1, Width: 640, Height: 480}, v.Figures())
}
