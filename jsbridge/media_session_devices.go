//go:build js && wasm

package jsbridge

import (
	"errors"
	"syscall/js"
)

// errNoSinkSelection: the browser cannot route audio to a chosen output.
var errNoSinkSelection = errors.New("this browser cannot choose the audio output device (no setSinkId)")

// hasMicrophone tells whether the call has opened its microphone yet.
func (s *pcSession) hasMicrophone() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return !s.closed && s.track.Truthy() && s.transceiver.Truthy()
}

// replaceMicrophone sends stream's audio track instead of the current one,
// without renegotiation (RTCRtpSender.replaceTrack), keeps the mute state,
// and stops the old microphone. The stream is stopped if it cannot be used.
func (s *pcSession) replaceMicrophone(stream js.Value) error {
	tracks := stream.Call("getAudioTracks")
	if tracks.Length() == 0 {
		stopStream(stream)
		return errors.New("the new microphone stream has no audio track")
	}
	track := tracks.Index(0)
	sender, muted, held, ok := s.senderAndMute()
	if !ok {
		stopStream(stream)
		return nil // the call ended or has no microphone yet: it will open the new one
	}
	track.Set("enabled", !muted)

	mix := s.mixing()
	if !held && mix == nil { // a held call sends nothing; the new microphone goes out on resume
		if _, err := await(sender.Call("replaceTrack", track)); err != nil {
			stopStream(stream)
			return err
		}
	}
	old, muted, ok := s.swapMicrophone(stream, track)
	if !ok {
		stopStream(stream)
		return nil
	}
	track.Set("enabled", !muted) // Mute/UnMute may have run meanwhile
	if old.Truthy() {
		stopStream(old)
	}
	if mix != nil {
		mix.microphoneChanged(s) // the conference sends its sum: mix the new microphone into it
	}
	return nil
}

// setSink plays the call's audio on an output device ("" is the default).
// It must run on a goroutine.
func (s *pcSession) setSink(id string) error {
	if !s.audio.Get("setSinkId").Truthy() {
		return errNoSinkSelection
	}
	_, err := await(s.audio.Call("setSinkId", id))
	return err
}

// senderAndMute is the microphone's RTCRtpSender and the mute and hold states; false
// when the call ended or has no microphone yet.
func (s *pcSession) senderAndMute() (sender js.Value, muted, held, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || !s.transceiver.Truthy() {
		return js.Undefined(), false, false, false
	}
	return s.transceiver.Get("sender"), s.muted, s.held, true
}

// swapMicrophone records the new stream and track and returns the old
// stream; false when the call ended meanwhile.
func (s *pcSession) swapMicrophone(stream, track js.Value) (old js.Value, muted, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return js.Undefined(), false, false
	}
	old = s.local
	s.local, s.track = stream, track
	return old, s.muted, true
}
