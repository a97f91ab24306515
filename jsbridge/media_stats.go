//go:build js && wasm

package jsbridge

import (
	"context"
	"syscall/js"

	"github.com/webphone/exotelsdk/sdk/media"
)

// Stats implements media.Session from RTCPeerConnection.getStats: the audio
// RTP streams each way, the far end's view of ours (RTT, loss), the codec and
// the audio levels; the video's figures when there is video
// (media_stats_video.go).
func (s *pcSession) Stats(ctx context.Context) (media.Stats, error) {
	var st media.Stats
	report, err := await(s.raw.Call("getStats"))
	if err != nil {
		return st, err
	}
	codecs := map[string]string{}
	var inboundCodec string
	num := func(v js.Value, name string) float64 {
		if f := v.Get(name); f.Type() == js.TypeNumber {
			return f.Float()
		}
		return 0
	}
	var video videoReports
	each := export("stats report", nil, func(args []js.Value) any {
		r := arg(args, 0)
		if r.Get("kind").String() == "video" {
			video.add(r)
			return nil
		}
		switch r.Get("type").String() {
		case "codec":
			codecs[r.Get("id").String()] = r.Get("mimeType").String()
		case "outbound-rtp":
			if r.Get("kind").String() == "audio" {
				st.PacketsSent = uint64(num(r, "packetsSent"))
				st.BytesSent = uint64(num(r, "bytesSent"))
			}
		case "inbound-rtp":
			if r.Get("kind").String() == "audio" {
				st.PacketsReceived = uint64(num(r, "packetsReceived"))
				st.BytesReceived = uint64(num(r, "bytesReceived"))
				st.PacketsLost = int64(num(r, "packetsLost"))
				st.Jitter = num(r, "jitter")
				st.AudioLevel = num(r, "audioLevel")
				inboundCodec = r.Get("codecId").String()
			}
		case "remote-inbound-rtp":
			if r.Get("kind").String() == "audio" {
				st.RoundTripTime = num(r, "roundTripTime")
				st.FractionLost = num(r, "fractionLost")
			}
		case "media-source":
			if r.Get("kind").String() == "audio" {
				st.LocalAudioLevel = num(r, "audioLevel")
			}
		}
		return nil
	})
	defer each.Release()
	report.Call("forEach", each)
	st.Video = s.videoStats(video, codecs)
	st.Codec = codecs[inboundCodec]
	if len(st.Codec) > 6 && st.Codec[:6] == "audio/" {
		st.Codec = st.Codec[6:]
	}
	return st, nil
}
