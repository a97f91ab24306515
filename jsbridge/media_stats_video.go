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

// videoStatsSample is a reference reading's byte counts, for the bitrates.
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
	// The bitrates are over the time since a reference reading at least
	// half a second old (the quality sampler reads every second too): the
	// newest such of the last two, which move on every second.
	now := time.Now()
	s.locked(func() {
		refs := &s.video.stats
		ref := refs[1]
		if now.Sub(ref.at) < 500*time.Millisecond {
			ref = refs[0]
		}
		if secs := now.Sub(ref.at).Seconds(); !ref.at.IsZero() && secs > 0 {
			if vs.BytesSent >= ref.bytesSent {
				vs.BitrateSent = float64(vs.BytesSent-ref.bytesSent) * 8 / secs
			}
			if vs.BytesReceived >= ref.bytesRcv {
				vs.BitrateReceived = float64(vs.BytesReceived-ref.bytesRcv) * 8 / secs
			}
		}
		if now.Sub(refs[1].at) >= time.Second {
			refs[0], refs[1] = refs[1], videoStatsSample{at: now, bytesSent: vs.BytesSent, bytesRcv: vs.BytesReceived}
		}
	})
	return vs
}
