package pcmu

import (
	"encoding/binary"
	"errors"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/rtp/codecs"
	"github.com/pion/webrtc/v3"
)

// PayloadTypeVP8 is the dynamic payload type a session with video offers
// for VP8/90000 (in an answer, the offer's own number is used).
const PayloadTypeVP8 = 96

// vp8Codec is VP8 with the feedback a receiver that asks for keyframes
// needs: PLI and FIR.
var vp8Codec = webrtc.RTPCodecParameters{
	RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000,
		RTCPFeedback: []webrtc.RTCPFeedback{{Type: "nack", Parameter: "pli"}, {Type: "ccm", Parameter: "fir"}}},
	PayloadType: PayloadTypeVP8,
}

// keyframeInterval is how often the echo asks the sender for a keyframe
// (PLI): a receiver that joins late, or that lost one, gets a picture
// within that time, and each keyframe tells its resolution.
const keyframeInterval = time.Second

// VideoEcho is a session's video without an encoder: the VP8 frames the
// other side sends are counted, the resolution read from their keyframes,
// and sent straight back on our own video track, so the browser at the
// other end decodes real frames from us too.
type VideoEcho struct {
	track *webrtc.TrackLocalStaticRTP

	mu            sync.Mutex
	frames        int // complete frames received (RTP marker bit)
	keyframes     int
	width, height int // of the last keyframe
}

// VideoFigures is what a VideoEcho has received so far.
type VideoFigures struct {
	Frames, Keyframes int
	Width, Height     int
}

func newVideoEcho(name string) (*VideoEcho, error) {
	track, err := webrtc.NewTrackLocalStaticRTP(vp8Codec.RTPCodecCapability, "video", name)
	if err != nil {
		return nil, err
	}
	return &VideoEcho{track: track}, nil
}

// Figures returns the frames and keyframes received so far and the
// resolution of the last keyframe.
func (v *VideoEcho) Figures() VideoFigures {
	v.mu.Lock()
	defer v.mu.Unlock()
	return VideoFigures{Frames: v.frames, Keyframes: v.keyframes, Width: v.width, Height: v.height}
}

// read counts tr's frames and echoes its packets until the track ends,
// asking pc's other side for a keyframe every keyframeInterval.
func (v *VideoEcho) read(pc *webrtc.PeerConnection, tr *webrtc.TrackRemote) {
	done := make(chan struct{})
	defer close(done)
	go func() {
		tick := time.NewTicker(keyframeInterval)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				_ = pc.WriteRTCP([]rtcp.Packet{&rtcp.PictureLossIndication{MediaSSRC: uint32(tr.SSRC())}})
			}
		}
	}()
	var vp8 codecs.VP8Packet
	for {
		pkt, _, err := tr.ReadRTP()
		if err != nil {
			return
		}
		v.count(&vp8, pkt)
		if err := v.track.WriteRTP(pkt); err != nil && !errors.Is(err, io.ErrClosedPipe) {
			return
		}
	}
}

// count records one VP8 packet: a frame ends at the marker bit; a
// keyframe's first packet carries the start code 9d 01 2a and then its
// width and height (RFC 6386 9.1), 14 bits each.
func (v *VideoEcho) count(vp8 *codecs.VP8Packet, pkt *rtp.Packet) {
	payload, err := vp8.Unmarshal(pkt.Payload)
	if err != nil {
		return
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if vp8.S == 1 && vp8.PID == 0 && len(payload) >= 10 && payload[0]&1 == 0 &&
		payload[3] == 0x9d && payload[4] == 0x01 && payload[5] == 0x2a {
		v.keyframes++
		v.width = int(binary.LittleEndian.Uint16(payload[6:8]) & 0x3fff)
		v.height = int(binary.LittleEndian.Uint16(payload[8:10]) & 0x3fff)
	}
	if pkt.Marker {
		v.frames++
	}
}

// drainRTCP reads what the other side reports about our echo (receiver
// reports, its PLIs) so pion's interceptors keep working; the periodic PLI
// in read already keeps keyframes coming.
func drainRTCP(s *webrtc.RTPSender) {
	buf := make([]byte, 1500)
	for {
		if _, _, err := s.Read(buf); err != nil {
			return
		}
	}
}

// videoDirection is the direction attribute of sdp's first video section
// (sendrecv when it has none), or "" when sdp has no video or rejects it
// (port 0).
func videoDirection(sdp string) string {
	dir, in := "", false
	for _, l := range sdpLines(sdp) {
		if strings.HasPrefix(l, "m=") {
			if in {
				break
			}
			in = strings.HasPrefix(l, "m=video ") && !strings.HasPrefix(l, "m=video 0 ")
			if in {
				dir = SendRecv
			}
			continue
		}
		if a, ok := strings.CutPrefix(l, "a="); ok && in && isDirection(a) {
			dir = a
		}
	}
	return dir
}

// setVideoDirection returns sdp with the direction attribute of its video
// sections set to dir (pion answers and re-offers the video with its
// transceiver's direction, not the one the audio's hold or resume asks).
func setVideoDirection(sdp, dir string) string {
	lines, in := sdpLines(sdp), false
	for i, l := range lines {
		if strings.HasPrefix(l, "m=") {
			in = strings.HasPrefix(l, "m=video ")
			continue
		}
		if a, ok := strings.CutPrefix(l, "a="); ok && in && isDirection(a) {
			lines[i] = "a=" + dir
		}
	}
	return strings.Join(lines, "\r\n") + "\r\n"
}
