//go:build js && wasm

package jsbridge

import (
	"context"
	"errors"
	"syscall/js"

	"github.com/webphone/exotelsdk/sdk/media"
)

// videoSide is a call's video: the direction the phone wants (media.Video),
// the camera, and the video mute. pion's js build has no video track of its
// own, so this works on the browser's RTCPeerConnection: one video
// transceiver (addTransceiver, or the one the far end's offer made), the
// camera put on its sender by replaceTrack.
type videoSide struct {
	want   media.Direction // "" or Inactive: no video
	camera js.Value        // camera MediaStream, while open
	track  js.Value        // its video track
	muted  bool
	stats  [2]videoStatsSample // the bitrates' reference readings (media_stats_video.go)
}

// SetVideo implements media.Video.
func (s *pcSession) SetVideo(ctx context.Context, dir media.Direction) error {
	var old js.Value
	if dir == media.SendRecv {
		if err := s.openCamera(ctx); err != nil {
			return err
		}
	} else {
		s.locked(func() { old, s.video.camera, s.video.track = s.video.camera, js.Undefined(), js.Undefined() })
	}
	s.locked(func() { s.video.want = dir })
	s.applyVideo(false)
	if old.Truthy() {
		stopStream(old) // after the sender has let go of it
	}
	return nil
}

// openCamera opens the camera once for this call.
func (s *pcSession) openCamera(ctx context.Context) error {
	var have bool
	s.locked(func() { have = s.video.track.Truthy() })
	if have {
		return nil
	}
	stream, err := s.devices.getCamera(ctx, "")
	if err != nil {
		return err
	}
	var closed bool
	s.locked(func() {
		if closed = s.closed; !closed {
			s.video.camera, s.video.track = stream, stream.Call("getVideoTracks").Index(0)
		}
	})
	if closed {
		stopStream(stream)
		return errors.New("call ended")
	}
	return nil
}

// SetVideoMuted implements media.Video: a muted camera sends no frames at
// all (the sender has no track), the camera stays open.
func (s *pcSession) SetVideoMuted(muted bool) {
	s.locked(func() { s.video.muted = muted })
	spawn("SetVideoMuted", s.refreshVideoTrack)
}

// videoTransceivers are the connection's video transceivers not stopped.
func (s *pcSession) videoTransceivers() []js.Value {
	var out []js.Value
	ts := s.raw.Call("getTransceivers")
	for i := 0; i < ts.Length(); i++ {
		t := ts.Index(i)
		if t.Get("receiver").Get("track").Get("kind").String() != "video" ||
			t.Get("currentDirection").String() == "stopped" || t.Get("stopped").Truthy() {
			continue
		}
		out = append(out, t)
	}
	return out
}

// videoDirection is the video transceiver's direction for what we want
// while the audio is offered audioDir: hold makes sendrecv sendonly and
// recvonly inactive.
func videoDirection(want, audioDir media.Direction) media.Direction {
	held := audioDir == media.SendOnly || audioDir == media.Inactive
	switch {
	case want == media.SendRecv && held:
		return media.SendOnly
	case want == media.SendRecv, want == media.RecvOnly && !held:
		return want
	}
	return media.Inactive
}

// applyVideo sets the video transceiver's direction and track from what we
// want; add makes the transceiver when there is none and video is wanted
// (our offer; an answer uses the one the offer made). Extra video
// transceivers are made inactive. It must run on a goroutine.
func (s *pcSession) applyVideo(add bool) {
	var want, audioDir media.Direction
	s.locked(func() { want, audioDir = s.video.want, s.lastDir })
	ts := s.videoTransceivers()
	if len(ts) == 0 {
		if !add || want == "" || want == media.Inactive {
			return
		}
		ts = []js.Value{s.raw.Call("addTransceiver", "video", object(map[string]any{"direction": "recvonly"}))}
		s.preferCodecOf(ts[0], "video")
	}
	for _, t := range ts[1:] {
		t.Set("direction", string(media.Inactive))
	}
	t := ts[0]
	t.Set("direction", string(videoDirection(want, audioDir)))
	if sender := t.Get("sender"); sender.Get("setStreams").Truthy() {
		var local js.Value
		s.locked(func() { local = s.local })
		if local.Truthy() {
			sender.Call("setStreams", local) // the far end gets our audio and video as one stream
		}
	}
	s.refreshVideoTrack()
}

// refreshVideoTrack puts the camera on the video sender when it may send
// (wanted, not held, not muted) and takes it off otherwise.
func (s *pcSession) refreshVideoTrack() {
	ts := s.videoTransceivers()
	if len(ts) == 0 {
		return
	}
	track := js.Null()
	s.locked(func() {
		if s.video.want == media.SendRecv && !s.held && !s.video.muted && s.video.track.Truthy() {
			track = s.video.track
		}
	})
	sender := ts[0].Get("sender")
	if sender.Get("track").Equal(track) {
		return
	}
	if _, err := await(sender.Call("replaceTrack", track)); err != nil {
		logger.Warnf("video replaceTrack: %v", err)
	}
}

// syncRemoteVideo keeps the remote stream's video track in step with the
// negotiated video: there while we receive video, gone when not.
func (s *pcSession) syncRemoteVideo() {
	ts := s.videoTransceivers()
	receiving := js.Undefined()
	for _, t := range ts {
		if d := t.Get("currentDirection").String(); d == "sendrecv" || d == "recvonly" {
			receiving = t.Get("receiver").Get("track")
			break
		}
	}
	remote := s.remoteStream()
	videos := remote.Call("getVideoTracks")
	for i := 0; i < videos.Length(); i++ {
		if v := videos.Index(i); !v.Equal(receiving) {
			remote.Call("removeTrack", v)
		}
	}
	if receiving.Truthy() && !remote.Call("getTrackById", receiving.Get("id")).Truthy() {
		remote.Call("addTrack", receiving)
	}
}

// LocalStream is what we send, for apps (Call.getLocalStream): a new
// MediaStream with the microphone and, while it is open, the camera.
func (s *pcSession) LocalStream() js.Value {
	var mic, cam js.Value
	s.locked(func() { mic, cam = s.track, s.video.track })
	tracks := []any{}
	for _, t := range []js.Value{mic, cam} {
		if t.Truthy() {
			tracks = append(tracks, t)
		}
	}
	if len(tracks) == 0 {
		return js.Null()
	}
	return js.Global().Get("MediaStream").New(js.ValueOf(tracks))
}

// replaceCamera sends stream's video instead of the current camera
// (replaceTrack, no renegotiation) and stops the old one; a call without
// an open camera is left alone (and stream stopped).
func (s *pcSession) replaceCamera(stream js.Value) error {
	var old js.Value
	var ok bool
	s.locked(func() {
		if ok = !s.closed && s.video.track.Truthy(); ok {
			old = s.video.camera
			s.video.camera, s.video.track = stream, stream.Call("getVideoTracks").Index(0)
		}
	})
	if !ok {
		stopStream(stream)
		return nil
	}
	s.refreshVideoTrack()
	if old.Truthy() {
		stopStream(old)
	}
	return nil
}

// hasCamera tells whether the call has its camera open.
func (s *pcSession) hasCamera() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return !s.closed && s.video.track.Truthy()
}
