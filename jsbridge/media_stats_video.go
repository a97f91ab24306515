//go:build js && wasm

package jsbridge

import (
	"strings"
	"syscall/js"
	"time"

	"github.com/webphone/exotelsdk/sdk/media"
)

// videoReports are a getStats report's video RTP streams.
type videoReports struct {
	inbound, outbound js.Value
}

func (v *videoReports) add(r js.Value) {
	switch r.Get("type").String() {
	case "inbound-rtp":
		v.inbound = r
	case "outbound-rtp":
		v.outbound = r
	}
}

// videoStatsSample is the previous reading's byte counts, for the bitrates.
type videoStatsSample struct {
	at                  time.Time
	bytesSent, bytesRcv uint64
}

// videoStats turns the video reports into getStatistics' video figures;
// nil when the call has no video stream (neither way).
func (s *pcSession) videoStats(v videoReports, codecs map[string]string) *media.VideoStats {
	if !v.inbound.Truthy() && !v.outbound.Truthy() {
		return nil
	}
	num := func(r js.Value, name string) float64 {
		if !r.Truthy() {
			return 0
		}
		if f := r.Get(name); f.Type() == js.TypeNumber {
			return f.Float()
		}
		return 0
	}
	in, out := v.inbound, v.outbound
	vs := &media.VideoStats{
		FramesSent: uint64(num(out, "framesSent")), FramesReceived: uint64(num(in, "framesReceived")),
		FramesDecoded: uint64(num(in, "framesDecoded")),
		FrameWidth:    int(num(in, "frameWidth")), FrameHeight: int(num(in, "frameHeight")),
		FramesPerSecond: num(in, "framesPerSecond"),
		SentFrameWidth:  int(num(out, "frameWidth")), SentFrameHeight: int(num(out, "frameHeight")),
		BytesSent: uint64(num(out, "bytesSent")), BytesReceived: uint64(num(in, "bytesReceived")),
	}
	for _, r := range []js.Value{in, out} {
		if r.Truthy() && vs.Codec == "" {
			vs.Codec = strings.TrimPrefix(codecs[r.Get("codecId").String()], "video/")
		}
	}
	now := time.Now()
	s.locked(func() {
		prev := s.video.stats
		if secs := now.Sub(prev.at).Seconds(); !prev.at.IsZero() && secs > 0 {
			if vs.BytesSent >= prev.bytesSent {
				vs.BitrateSent = float64(vs.BytesSent-prev.bytesSent) * 8 / secs
			}
			if vs.BytesReceived >= prev.bytesRcv {
				vs.BitrateReceived = float64(vs.BytesReceived-prev.bytesRcv) * 8 / secs
			}
		}
		s.video.stats = videoStatsSample{at: now, bytesSent: vs.BytesSent, bytesRcv: vs.BytesReceived}
	})
	return vs
}
