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
	s.mu.Lock()
	if s.closed || !s.transceiver.Truthy() {
		s.mu.Unlock()
		stopStream(stream)
		return nil // the call ended or has no microphone yet: it will open the new one
	}
	sender := s.transceiver.Get("sender")
	track.Set("enabled", !s.muted)
	held := s.held
	s.mu.Unlock()

	if !held { // a held call sends nothing; the new microphone goes out on resume
		if _, err := await(sender.Call("replaceTrack", track)); err != nil {
			stopStream(stream)
			return err
		}
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		stopStream(stream)
		return nil
	}
	old := s.local
	s.local, s.track = stream, track
	muted := s.muted
	s.mu.Unlock()
	track.Set("enabled", !muted) // Mute/UnMute may have run meanwhile
	if old.Truthy() {
		stopStream(old)
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
