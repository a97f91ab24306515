//go:build js && wasm

package jsbridge

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"syscall/js"
	"time"

	"github.com/pion/webrtc/v3"
	"github.com/webphone/exotelsdk/sdk/media"
)

// mediaFactory makes a browser media session per call.
type mediaFactory struct {
	devices *deviceState
	mix     conferenceMix // conference_mix.go: the calls' local conference
}

// NewSession creates the RTCPeerConnection (through pion's js build).
func (f *mediaFactory) NewSession(opts media.Options) (media.Session, error) {
	cfg := webrtc.Configuration{}
	for _, s := range opts.ICEServers {
		cfg.ICEServers = append(cfg.ICEServers, webrtc.ICEServer{URLs: s.URLs, Username: s.Username, Credential: s.Credential})
	}
	pc, err := webrtc.NewPeerConnection(cfg)
	if err != nil {
		return nil, err
	}
	s := &pcSession{pc: pc, raw: pc.JSValue(), opts: opts, devices: f.devices, iceServers: len(cfg.ICEServers) > 0,
		inHeap: countedInHeap()}
	s.listeners = &eventListeners{target: s.raw, what: "peer connection"}
	s.audio = js.Global().Get("document").Call("createElement", "audio")
	s.audio.Set("autoplay", true)
	s.audio.Set("volume", f.devices.callVolume())
	if sink := f.devices.outputDevice(); sink != "" && s.audio.Get("setSinkId").Truthy() {
		s.audio.Call("setSinkId", sink)
	}
	// remote is one stream for the far end's audio and video, whatever
	// streams they came in: the track event adds the audio, syncRemoteVideo
	// the video once negotiated.
	s.remote = js.Global().Get("MediaStream").New()
	s.listeners.on("track", func(ev js.Value) {
		track := ev.Get("track")
		if track.Get("kind").String() != "audio" {
			return
		}
		old := s.remote.Call("getAudioTracks")
		for i := 0; i < old.Length(); i++ {
			s.remote.Call("removeTrack", old.Index(i))
		}
		s.remote.Call("addTrack", track)
		s.audio.Set("srcObject", s.remote)
		s.audio.Call("play").Call("catch", ignoreRejection)
	})
	s.listeners.on("iceconnectionstatechange", func(js.Value) {
		state := s.raw.Get("iceConnectionState").String()
		var cb func(string)
		s.locked(func() { cb = s.onState })
		if cb != nil {
			cb(state)
		}
	})
	f.devices.track(s)
	return s, nil
}

// pcSession is one call's RTCPeerConnection, microphone and remote audio.
type pcSession struct {
	pc         *webrtc.PeerConnection
	raw        js.Value // the browser RTCPeerConnection
	opts       media.Options
	devices    *deviceState
	iceServers bool
	audio      js.Value // plays the remote audio

	mu          sync.Mutex
	listeners   *eventListeners
	local       js.Value // microphone MediaStream
	track       js.Value
	transceiver js.Value
	remote      js.Value  // the far end's audio and video (set once, at creation)
	video       videoSide // media_session_video.go
	muted       bool
	held        bool   // we hold the call: the sender sends no track
	pendingDTMF string // RFC 4733 digits waiting for the sender to be able to send
	lastDir     media.Direction
	onState     func(string)
	closed      bool
	mixer       *conferenceMix // conference_mix.go: set while in the conference,
	mixed       js.Value       // whose track for this far end is sent instead of the microphone
	sendMu      sync.Mutex     // conference_mix.go: one sender decision at a time
	inHeap      *heapMarker    // debug_hooks.go: counts the session while Go holds it
}

// microphone opens the microphone once and attaches it to the connection.
func (s *pcSession) microphone(ctx context.Context) error {
	var have bool
	s.locked(func() { have = s.track.Truthy() })
	if have {
		return nil
	}
	stream, err := s.devices.getUserMedia(ctx, s.opts)
	if err != nil {
		return err
	}
	track := stream.Call("getAudioTracks").Index(0)
	var closed, muted bool
	s.locked(func() {
		if closed = s.closed; !closed {
			s.local, s.track = stream, track
			muted = s.muted
		}
	})
	if closed {
		stopStream(stream)
		return errors.New("call ended")
	}
	track.Set("enabled", !muted)
	sender := s.raw.Call("addTrack", track, stream)
	s.transceiverOf(sender)
	s.preferCodec()
	if s.isHeld() {
		s.sendTrack(js.Null())
	}
	return nil
}

func (s *pcSession) isHeld() bool { s.mu.Lock(); defer s.mu.Unlock(); return s.held }

// locked runs f with the session's lock held (released even if f panics).
func (s *pcSession) locked(f func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f()
}

func (s *pcSession) currentTransceiver() js.Value {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.transceiver
}

// SetHeld implements media.Session: while held the sender sends no track at
// all (replaceTrack(null)), so the far end hears nothing even though the
// direction is sendonly; on resume the microphone goes back, muted or not
// (or the conference's mix, while the call is in one).
func (s *pcSession) SetHeld(held bool) {
	s.locked(func() { s.held = held })
	s.resend()            // conference_mix.go: the conference's track instead while mixed
	s.refreshVideoTrack() // the camera stops and comes back with the audio
}

// sendTrack puts track (or null) on the audio sender and waits for it.
func (s *pcSession) sendTrack(track js.Value) {
	t := s.currentTransceiver()
	if !t.Truthy() {
		return
	}
	if _, err := await(t.Get("sender").Call("replaceTrack", track)); err != nil {
		logger.Warnf("replaceTrack: %v", err)
	}
}

func (s *pcSession) transceiverOf(sender js.Value) {
	ts := s.raw.Call("getTransceivers")
	for i := 0; i < ts.Length(); i++ {
		if t := ts.Index(i); t.Get("sender").Equal(sender) {
			s.locked(func() { s.transceiver = t })
		}
	}
}

// preferCodec moves the preferred audio codec to the front (setPreferredCodec).
func (s *pcSession) preferCodec() {
	if !s.transceiver.Truthy() {
		return
	}
	s.preferCodecOf(s.transceiver, "audio")
}

// preferCodecOf moves the codecs of kind ("audio" or "video") that
// setPreferredCodec names to the front of transceiver t's codecs; the
// others stay, in the browser's order. A name of the other kind is left
// to that kind's transceiver; an unknown one is logged.
func (s *pcSession) preferCodecOf(t js.Value, kind string) {
	name := strings.ToLower(s.opts.PreferredCodec)
	caps := js.Global().Get("RTCRtpReceiver")
	if name == "" || isVideoCodec(name) != (kind == "video") || !t.Get("setCodecPreferences").Truthy() || !caps.Get("getCapabilities").Truthy() {
		return
	}
	codecs := caps.Call("getCapabilities", kind).Get("codecs")
	first, rest := []any{}, []any{}
	for i := 0; i < codecs.Length(); i++ {
		c := codecs.Index(i)
		if strings.EqualFold(strings.TrimPrefix(c.Get("mimeType").String(), kind+"/"), name) {
			first = append(first, c)
		} else {
			rest = append(rest, c)
		}
	}
	if len(first) == 0 {
		logger.Warnf("preferred codec %q is not supported by this browser", s.opts.PreferredCodec)
		return
	}
	t.Call("setCodecPreferences", js.ValueOf(append(first, rest...)))
}

func (s *pcSession) setDirection(dir media.Direction) {
	var t js.Value
	s.locked(func() { t, s.lastDir = s.transceiver, dir })
	if t.Truthy() {
		t.Set("direction", string(dir))
	}
}

// Offer implements media.Session.
func (s *pcSession) Offer(ctx context.Context, dir media.Direction, iceRestart bool) (string, error) {
	if err := s.microphone(ctx); err != nil {
		return "", err
	}
	s.setDirection(dir)
	s.applyVideo(true)
	offer, err := s.pc.CreateOffer(&webrtc.OfferOptions{ICERestart: iceRestart})
	if err != nil {
		return "", fmt.Errorf("createOffer: %w", err)
	}
	if err := s.pc.SetLocalDescription(offer); err != nil {
		return "", fmt.Errorf("setLocalDescription: %w", err)
	}
	return s.gathered(ctx), nil
}

// Answer implements media.Session.
func (s *pcSession) Answer(ctx context.Context, offer string) (string, error) {
	if err := s.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: offer}); err != nil {
		return "", fmt.Errorf("setRemoteDescription(offer): %w", err)
	}
	if err := s.microphone(ctx); err != nil {
		return "", err
	}
	s.applyVideo(false)
	answer, err := s.pc.CreateAnswer(nil)
	if err != nil {
		return "", fmt.Errorf("createAnswer: %w", err)
	}
	if err := s.pc.SetLocalDescription(answer); err != nil {
		return "", fmt.Errorf("setLocalDescription: %w", err)
	}
	s.syncRemoteVideo()
	return s.gathered(ctx), nil
}

// Accept implements media.Session.
func (s *pcSession) Accept(ctx context.Context, answer string, provisional bool) error {
	typ := webrtc.SDPTypeAnswer
	if provisional {
		typ = webrtc.SDPTypePranswer
	}
	if err := s.pc.SetRemoteDescription(webrtc.SessionDescription{Type: typ, SDP: answer}); err != nil {
		return fmt.Errorf("setRemoteDescription(%s): %w", typ, err)
	}
	s.syncRemoteVideo()
	return nil
}

// Rollback implements media.Session.
func (s *pcSession) Rollback(ctx context.Context) error {
	if s.raw.Get("signalingState").String() == "stable" {
		return nil
	}
	_, err := await(s.raw.Call("setLocalDescription", object(map[string]any{"type": "rollback"})))
	return err
}

// gathered waits for ICE candidates, but never for gathering to finish once a
// usable set is there: a host candidate, plus a server-reflexive or relay one
// when STUN/TURN servers are configured — and if those do not answer within a
// second of the first host candidate, the host candidates go alone (servers
// with public addresses reach the browser through peer-reflexive candidates).
// The wait is bounded in any case.
func (s *pcSession) gathered(ctx context.Context) string {
	const settle = 20 * time.Millisecond // siblings gathered in the same burst
	const reflexiveWait = time.Second    // STUN/TURN answers usually come in well under that
	const limit = 3 * time.Second
	start := time.Now()
	var hostAt, usableAt time.Time
	for {
		sdp := s.raw.Get("localDescription").Get("sdp").String()
		if s.raw.Get("iceGatheringState").String() == "complete" {
			return sdp
		}
		now := time.Now()
		host, reflexive := candidateKinds(sdp)
		if host && hostAt.IsZero() {
			hostAt = now
		}
		if usableAt.IsZero() && host && (reflexive || !s.iceServers) {
			usableAt = now
		}
		switch {
		case !usableAt.IsZero() && now.Sub(usableAt) >= settle,
			!hostAt.IsZero() && now.Sub(hostAt) >= reflexiveWait,
			now.Sub(start) >= limit, ctx.Err() != nil:
			return sdp
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// candidateKinds tells whether an SDP has a UDP host candidate and a
// server-reflexive or relay one.
func candidateKinds(sdp string) (host, reflexive bool) {
	for _, line := range strings.Split(sdp, "\n") {
		if !strings.HasPrefix(line, "a=candidate:") {
			continue
		}
		switch {
		case strings.Contains(line, " typ host") && strings.Contains(strings.ToLower(line), " udp "):
			host = true
		case strings.Contains(line, " typ srflx"), strings.Contains(line, " typ relay"):
			reflexive = true
		}
	}
	return host, reflexive
}

// SetMuted implements media.Session: the track keeps flowing, silent.
func (s *pcSession) SetMuted(muted bool) {
	var t js.Value
	s.locked(func() { s.muted, t = muted, s.track })
	if t.Truthy() {
		t.Set("enabled", !muted)
	}
}

// OnConnectionState implements media.Session.
func (s *pcSession) OnConnectionState(f func(string)) {
	s.locked(func() { s.onState = f })
}

// RemoteStream is the received audio and video, for apps and tests
// (Call.getRemoteStream); null before anything is received.
func (s *pcSession) RemoteStream() js.Value {
	if s.remote.Call("getTracks").Length() == 0 {
		return js.Null()
	}
	return s.remote
}

// remoteStream is the far end's stream, empty or not.
func (s *pcSession) remoteStream() js.Value { return s.remote }

// Close implements media.Session.
func (s *pcSession) Close() {
	var was bool
	var local, camera js.Value
	s.locked(func() { was, s.closed, local, camera = s.closed, true, s.local, s.video.camera })
	if was {
		return
	}
	s.devices.untrack(s)
	s.listeners.removeAll()
	for _, stream := range []js.Value{local, camera} {
		if stream.Truthy() {
			stopStream(stream)
		}
	}
	s.audio.Call("pause")
	s.audio.Set("srcObject", js.Null())
	_ = s.pc.Close()
}

func stopStream(stream js.Value) {
	tracks := stream.Call("getTracks")
	for i := 0; i < tracks.Length(); i++ {
		tracks.Index(i).Call("stop")
	}
}
