package farend

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/pion/webrtc/v3"
)

// DTMF timing used by SendDTMF.
const (
	DTMFDuration = 100 * time.Millisecond // tone length of each digit
	DTMFGap      = 60 * time.Millisecond  // silence between digits
)

func (c *Call) mediaSession() (*mediaSession, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.media == nil {
		return nil, errors.New("farend: call has no media yet")
	}
	return c.media, nil
}

// WaitMedia waits until the WebRTC transport (ICE + DTLS) is connected.
func (c *Call) WaitMedia(ctx context.Context) error {
	for {
		if m, err := c.mediaSession(); err == nil {
			switch s := m.PC.ConnectionState(); s {
			case webrtc.PeerConnectionStateConnected:
				return nil
			case webrtc.PeerConnectionStateFailed, webrtc.PeerConnectionStateClosed:
				return fmt.Errorf("farend: media connection %s", s)
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("farend: media not connected: %w", ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// AudioLevel is the RMS level, in dBFS (0 = full-scale square wave, a
// full-scale sine is about -3), of the decoded PCMU audio that arrived in
// the last window; SilenceDBFS (-100) when nothing or only silence came.
// The far end's own tone is at about -9 dBFS.
func (c *Call) AudioLevel(window time.Duration) float64 {
	m, err := c.mediaSession()
	if err != nil {
		return SilenceDBFS
	}
	return m.Recv.Level(window)
}

// ToneLevel is the level, in dBFS like AudioLevel, of the freqHz
// component of the audio that arrived in the last window, so a far end
// hearing several tones at once (a conference) can tell which it hears;
// SilenceDBFS when nothing came.
func (c *Call) ToneLevel(window time.Duration, freqHz float64) float64 {
	m, err := c.mediaSession()
	if err != nil {
		return SilenceDBFS
	}
	return m.Recv.ToneLevel(window, freqHz)
}

// PlayTone makes the far end send a sine of freqHz (e.g. 440) instead of
// silence; 0 goes back to silence. Audio is only sent while the negotiated
// direction allows it (not while the far end answered recvonly).
func (c *Call) PlayTone(freqHz float64) error {
	m, err := c.mediaSession()
	if err != nil {
		return err
	}
	m.tone.SetFrequency(freqHz)
	return nil
}

// SendDTMF queues digits (0-9 * # A-D) to be sent as RFC 4733
// telephone-events, DTMFDuration each with DTMFGap between them.
func (c *Call) SendDTMF(digits string) error {
	m, err := c.mediaSession()
	if err != nil {
		return err
	}
	if !m.Send.QueueDTMF(digits, DTMFDuration, DTMFGap) {
		return errors.New("farend: telephone-event not negotiated")
	}
	return nil
}

// DTMFEvents returns the RFC 4733 digits received so far, one per event
// (taken from its end packet; the repeated end packets are deduplicated).
func (c *Call) DTMFEvents() []rune {
	m, err := c.mediaSession()
	if err != nil {
		return nil
	}
	d, _ := m.Recv.Digits()
	return d
}

// WaitDTMF waits until at least n digits were received and returns them.
func (c *Call) WaitDTMF(ctx context.Context, n int) ([]rune, error) {
	for {
		m, err := c.mediaSession()
		if err != nil {
			return nil, err
		}
		d, ch := m.Recv.Digits()
		if len(d) >= n {
			return d, nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return d, fmt.Errorf("farend: got DTMF %q, want %d digits: %w", string(d), n, ctx.Err())
		}
	}
}

// RTPStats counts RTP packets: sent by the far end, and received as PCMU
// audio and as telephone-events.
func (c *Call) RTPStats() (sent, audio, events int) {
	m, err := c.mediaSession()
	if err != nil {
		return 0, 0, 0
	}
	audio, events = m.Recv.Counts()
	return m.Send.Packets(), audio, events
}

// LocalDirection is the audio direction in the last SDP the far end sent
// (sendrecv, sendonly, recvonly, inactive).
func (c *Call) LocalDirection() string {
	m, err := c.mediaSession()
	if err != nil {
		return ""
	}
	l, _ := m.Directions()
	return l
}

// RemoteDirection is the audio direction in the last SDP the far end got.
func (c *Call) RemoteDirection() string {
	m, err := c.mediaSession()
	if err != nil {
		return ""
	}
	_, r := m.Directions()
	return r
}

// Video reports the VP8 video received so far (frames, keyframes, the
// resolution of the last keyframe); zero for a far end without
// Config.Video or before media.
func (c *Call) Video() VideoFigures {
	m, err := c.mediaSession()
	if err != nil || m.Video == nil {
		return VideoFigures{}
	}
	return m.Video.Figures()
}
