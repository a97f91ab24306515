//go:build js && wasm

package jsbridge

import (
	"errors"
	"fmt"
	"sync"
	"syscall/js"

	"github.com/webphone/exotelsdk/sdk/media"
)

// conferenceMix is the local conference's audio graph (media.Mixer), one
// Web Audio AudioContext for the page's client: per member a source node of
// its microphone and one of its remote stream, and a
// MediaStreamAudioDestinationNode that sums that member's microphone with
// every other member's remote audio; the destination's track replaces the
// microphone on that member's sender (RTCRtpSender.replaceTrack, no
// renegotiation). Each member's own getUserMedia track feeds its sum, so
// Mute() on a call (track.enabled = false) silences us for that far end
// only. The speaker needs nothing: each call's <audio> element already
// plays its far end (and keeps Chromium's remote stream flowing, which Web
// Audio needs to get samples from it).
type conferenceMix struct {
	mu      sync.Mutex
	ctx     js.Value     // the AudioContext while there is a conference
	members []*pcSession // the sessions mixed now
	mics    []js.Value   // each member's microphone source node
	dests   []js.Value   // each member's destination node
	nodes   []js.Value   // every node of the graph, to disconnect
	tracks  []js.Value   // the destinations' tracks, to stop
}

// Mix implements media.Mixer on the client's media factory.
func (f *mediaFactory) Mix(sessions []media.Session) error {
	var members []*pcSession
	for _, s := range sessions {
		ps, ok := s.(*pcSession)
		if !ok {
			return errors.New("not a browser media session")
		}
		if !ps.isClosed() {
			members = append(members, ps)
		}
	}
	return f.mix.set(members)
}

// set rebuilds the graph for members (fewer than two: no conference).
// The new tracks go on the senders before the old graph is torn down, so
// a member that stays hears no gap longer than a replaceTrack.
func (m *conferenceMix) set(members []*pcSession) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	oldMembers, oldNodes, oldTracks := m.members, m.nodes, m.tracks
	m.members, m.nodes, m.tracks, m.mics, m.dests = nil, nil, nil, nil, nil
	var err error
	if len(members) >= 2 {
		if err = m.build(members); err != nil {
			for _, s := range m.members {
				s.setMixed(nil, js.Undefined())
			}
			m.teardown(m.nodes, m.tracks)
			m.members, m.nodes, m.tracks, m.mics, m.dests = nil, nil, nil, nil, nil
		}
	}
	for _, s := range oldMembers {
		if !m.has(s) {
			s.setMixed(nil, js.Undefined())
		}
	}
	m.teardown(oldNodes, oldTracks)
	if len(m.members) == 0 && m.ctx.Truthy() {
		_, _ = guardedCall(m.ctx, "close")
		m.ctx = js.Undefined()
	}
	return err
}

// build makes the graph and puts each member's mixed track on its sender.
func (m *conferenceMix) build(members []*pcSession) error {
	if !m.ctx.Truthy() {
		ctor := js.Global().Get("AudioContext")
		if !ctor.Truthy() {
			return errors.New("this browser has no Web Audio AudioContext")
		}
		ctx, err := guardedInvoke(jsReflect("construct"), ctor, js.ValueOf([]any{}))
		if err != nil {
			return fmt.Errorf("new AudioContext: %w", err)
		}
		m.ctx = ctx
	}
	if p, err := guardedCall(m.ctx, "resume"); err == nil { // suspended without a user gesture
		p.Call("catch", ignoreRejection)
	}
	mics := make([]js.Value, len(members))
	remotes := make([]js.Value, len(members))
	for i, s := range members {
		local, remote := s.mixStreams()
		var err error
		if mics[i], err = m.source(local); err != nil {
			return fmt.Errorf("the microphone of a call cannot be mixed: %w", err)
		}
		if remote.Truthy() {
			if remotes[i], err = m.source(remote); err != nil {
				return fmt.Errorf("the far end of a call cannot be mixed: %w", err)
			}
		}
	}
	for i, s := range members {
		dest, err := guardedCall(m.ctx, "createMediaStreamDestination")
		if err != nil {
			return fmt.Errorf("createMediaStreamDestination: %w", err)
		}
		m.nodes = append(m.nodes, dest)
		if _, err := guardedCall(mics[i], "connect", dest); err != nil {
			return fmt.Errorf("connect: %w", err)
		}
		for j := range members {
			if j == i || !remotes[j].Truthy() {
				continue
			}
			if _, err := guardedCall(remotes[j], "connect", dest); err != nil {
				return fmt.Errorf("connect: %w", err)
			}
		}
		track := dest.Get("stream").Call("getAudioTracks").Index(0)
		m.tracks = append(m.tracks, track)
		m.members = append(m.members, s)
		m.mics, m.dests = append(m.mics, mics[i]), append(m.dests, dest)
		s.setMixed(m, track)
	}
	return nil
}

// source is a MediaStreamAudioSourceNode of stream's audio.
func (m *conferenceMix) source(stream js.Value) (js.Value, error) {
	if !stream.Truthy() || stream.Call("getAudioTracks").Length() == 0 {
		return js.Undefined(), errors.New("no audio track")
	}
	n, err := guardedCall(m.ctx, "createMediaStreamSource", stream)
	if err == nil {
		m.nodes = append(m.nodes, n)
	}
	return n, err
}

func (m *conferenceMix) has(s *pcSession) bool {
	for _, x := range m.members {
		if x == s {
			return true
		}
	}
	return false
}

// teardown disconnects nodes and stops tracks of a graph no longer sent.
func (m *conferenceMix) teardown(nodes, tracks []js.Value) {
	for _, n := range nodes {
		_, _ = guardedCall(n, "disconnect")
	}
	for _, t := range tracks {
		_, _ = guardedCall(t, "stop")
	}
}

// microphoneChanged puts s's new microphone (changeAudioInputDevice; the
// old one has been stopped) in place of the old one in what its far end
// hears: a new source node on the same destination, so the sender's track
// stays and nothing is renegotiated or replaced.
func (m *conferenceMix) microphoneChanged(s *pcSession) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, x := range m.members {
		if x != s {
			continue
		}
		local, _ := s.mixStreams()
		mic, err := m.source(local)
		if err == nil {
			_, err = guardedCall(mic, "connect", m.dests[i])
		}
		if err != nil {
			logger.Warnf("the conference could not take the new microphone: %v", err)
			return
		}
		_, _ = guardedCall(m.mics[i], "disconnect")
		m.mics[i] = mic
	}
}

// mixStreams is what the mixer takes from the session: the microphone
// stream and the far end's stream (undefined before its track came).
func (s *pcSession) mixStreams() (local, remote js.Value) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.local, s.remote
}

func (s *pcSession) isClosed() bool { s.mu.Lock(); defer s.mu.Unlock(); return s.closed }

// setMixed makes the session send track, the conference's sum for its far
// end, instead of the microphone (undefined: the microphone again); a held
// session keeps sending nothing.
func (s *pcSession) setMixed(mix *conferenceMix, track js.Value) {
	s.locked(func() { s.mixer, s.mixed = mix, track })
	s.resend()
}

// mixing is the conference the session is mixed into, or nil.
func (s *pcSession) mixing() *conferenceMix { s.mu.Lock(); defer s.mu.Unlock(); return s.mixer }

// resend puts on the sender what the session must send now: nothing while
// held, else the conference's track while mixed, else the microphone. One
// decision and its replaceTrack at a time, each from the latest state, so
// hold, conference and device changes racing each other end right.
func (s *pcSession) resend() {
	s.sendMu.Lock()
	defer s.sendMu.Unlock()
	var track js.Value
	s.locked(func() {
		switch {
		case s.held:
			track = js.Null()
		case s.mixed.Truthy():
			track = s.mixed
		default:
			track = s.track
		}
	})
	if track.IsNull() || track.Truthy() {
		s.sendTrack(track)
	}
}
