//go:build js && wasm

package jsbridge

import (
	"syscall/js"

	"github.com/webphone/exotelsdk/sdk/media"
	"github.com/webphone/exotelsdk/sdk/phone"
)

// addVideoMethods puts the video methods on a Call object: AddVideo,
// RemoveVideo (Promises of the outcome), MuteVideo, UnMuteVideo and
// getLocalStream.
func addVideoMethods(jc *jsCall) {
	method := jc.method
	method("AddVideo", resolvedPromise{false}, func([]js.Value) any { return jc.changeVideo("AddVideo", jc.c.AddVideo) })
	method("RemoveVideo", resolvedPromise{false}, func([]js.Value) any { return jc.changeVideo("RemoveVideo", jc.c.RemoveVideo) })
	method("MuteVideo", false, func([]js.Value) any { return jc.muteVideo(true) })
	method("UnMuteVideo", false, func([]js.Value) any { return jc.muteVideo(false) })
	method("getLocalStream", nil, func([]js.Value) any {
		if s, ok := jc.c.Media().(*pcSession); ok {
			return s.LocalStream()
		}
		return js.Null()
	})
}

// answer is Answer(options?): {video: true} answers a video offer with the
// camera; without it a video offer is answered audio only.
func (jc *jsCall) answer(args []js.Value) any {
	return jc.ok("Answer", jc.c.AnswerWith(phone.AnswerOptions{Video: truthy(field(arg(args, 0), "video"))}))
}

// changeVideo runs AddVideo or RemoveVideo and returns a Promise of
// whether it took effect; a refusal is logged with its reason.
func (jc *jsCall) changeVideo(name string, change func() error) js.Value {
	return promise(name, false, func() any {
		if err := change(); err != nil {
			logger.Warnf("%s refused, the call is unchanged: %v", name, err)
			return false
		}
		jc.refresh()
		return true
	})
}

// muteVideo is MuteVideo/UnMuteVideo: no camera frames go out while muted.
func (jc *jsCall) muteVideo(muted bool) bool {
	name := map[bool]string{true: "MuteVideo", false: "UnMuteVideo"}[muted]
	if !jc.ok(name, jc.c.SetVideoMuted(muted)) {
		return false
	}
	jc.refresh()
	return true
}

// videoStatistics is getStatistics()'s video object, or null without video.
func videoStatistics(v *media.VideoStats) any {
	if v == nil {
		return js.Null()
	}
	return object(map[string]any{
		"codec": v.Codec, "framesSent": float64(v.FramesSent), "framesReceived": float64(v.FramesReceived),
		"framesDecoded": float64(v.FramesDecoded), "frameWidth": v.FrameWidth, "frameHeight": v.FrameHeight,
		"framesPerSecond": v.FramesPerSecond, "sentFrameWidth": v.SentFrameWidth, "sentFrameHeight": v.SentFrameHeight,
		"bytesSent": float64(v.BytesSent), "bytesReceived": float64(v.BytesReceived),
		"bitrateSent": v.BitrateSent, "bitrateReceived": v.BitrateReceived,
	})
}
