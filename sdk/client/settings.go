package client

import (
	"errors"
	"fmt"
	"math"
	"sync"

	"github.com/webphone/exotelsdk/sdk/media"
)

// Settings is what a client's next calls use: ICE servers, the preferred
// codec, noise suppression, the DTMF mode and the call audio's volume. It is
// the one copy: the phone reads media options and the DTMF mode from it, the
// microphone constraints and the remote audio element too. Safe for
// concurrent use.
type Settings struct {
	mu               sync.Mutex
	iceServers       []media.ICEServer
	codec            string
	noiseSuppression *bool
	dtmf             media.DTMFMode
	volume           float64
}

// NewSettings are the defaults: no ICE servers, the browser's codec order
// and noise suppression, DTMF by SIP INFO, full volume.
func NewSettings() *Settings { return &Settings{volume: 1} }

// SetICEServers replaces the STUN/TURN servers.
func (s *Settings) SetICEServers(list []media.ICEServer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.iceServers = append([]media.ICEServer(nil), list...)
}

// ICEServers is a copy of the STUN/TURN servers.
func (s *Settings) ICEServers() []media.ICEServer {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]media.ICEServer(nil), s.iceServers...)
}

// maxCodecName bounds a codec name; real ones are a few letters ("opus", "PCMU", "G722").
const maxCodecName = 32

// SetPreferredCodec sets the codec moved first in offers and answers; ""
// goes back to the browser's order. A name that cannot be a codec (empty
// after trimming is fine; spaces, punctuation other than '.', '-' or '_', or
// too long) is refused and nothing changes.
func (s *Settings) SetPreferredCodec(name string) error {
	if len(name) > maxCodecName {
		return fmt.Errorf("codec name of %d bytes is too long", len(name))
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_') {
			return fmt.Errorf("%q is not a codec name", name)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.codec = name
	return nil
}

// SetNoiseSuppression sets the getUserMedia noiseSuppression constraint.
func (s *Settings) SetNoiseSuppression(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.noiseSuppression = &on
}

// NoiseSuppression is the constraint, nil while the app has not chosen.
func (s *Settings) NoiseSuppression() *bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.noiseSuppression == nil {
		return nil
	}
	on := *s.noiseSuppression
	return &on
}

// SetDTMFMode takes "info" or "rfc4733"; anything else is refused.
func (s *Settings) SetDTMFMode(mode string) error {
	switch media.DTMFMode(mode) {
	case media.DTMFInfo, media.DTMFRFC4733:
	default:
		return fmt.Errorf("unknown dtmfMode %q (use 'info' or 'rfc4733')", mode)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dtmf = media.DTMFMode(mode)
	return nil
}

// DTMFMode is how digits are sent; "" is the phone's default (SIP INFO).
func (s *Settings) DTMFMode() media.DTMFMode {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dtmf
}

// ErrNotFinite refuses NaN and ±Infinity, which the browser would throw on.
var ErrNotFinite = errors.New("not a finite number")

// SetCallVolume sets the call audio's volume, clamped to 0..1, and returns
// what was set. NaN and ±Infinity are refused and nothing changes.
func (s *Settings) SetCallVolume(v float64) (float64, error) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, ErrNotFinite
	}
	v = math.Min(1, math.Max(0, v))
	s.mu.Lock()
	defer s.mu.Unlock()
	s.volume = v
	return v, nil
}

// CallVolume is the call audio's volume, 0..1.
func (s *Settings) CallVolume() float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.volume
}

// MediaOptions is what the next call's media session is made with.
func (s *Settings) MediaOptions() media.Options {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := media.Options{ICEServers: append([]media.ICEServer(nil), s.iceServers...), PreferredCodec: s.codec}
	if s.noiseSuppression != nil {
		on := *s.noiseSuppression
		o.NoiseSuppression = &on
	}
	return o
}
