package bot

import (
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/webrtc/v3"
)

const (
	sampleRate    = 8000
	frameSamples  = 160 // 20 ms of PCMU
	frameDuration = 20 * time.Millisecond

	toneAmplitude = 0.3 // of full scale
	dtmfAmplitude = 0.25
	// The tone mode plays a chime: two notes and a pause, per cycle.
	noteFrames    = 20 // 400 ms per note
	chimeFrames   = 3 * noteFrames
	digitFrames   = 8  // 160 ms of a read-back digit's dual tone
	digitGap      = 4  // 80 ms of silence after it
	echoDelay     = 25 // frames (500 ms) an echo is held back
	maxEchoFrames = 150
)

// chimeNotes are the chime's two notes, in Hz (C5 and E5).
var chimeNotes = [2]float64{523.25, 659.25}

// sender is the bot's outgoing audio: a pion TrackLocal that writes PCMU
// RTP every 20 ms. What it plays depends on the mode: the chime, or what
// the caller said half a second ago (echo); digits queued by readBack
// interrupt either with their DTMF dual tone.
type sender struct {
	mu       sync.Mutex
	w        webrtc.TrackLocalWriter
	ssrc     uint32
	pt       uint8
	enabled  bool
	echo     bool
	frame    int        // frames played, for the chime's rhythm
	phase    [2]float64 // oscillator phases
	readback []rune     // digits to play back; readback[0] is playing
	played   int        // frames of readback[0] played so far
	echoBuf  [][]byte   // received PCMU frames waiting to be echoed
	primed   bool       // echoBuf held echoDelay frames: playing it back
	seq      uint16
	ts       uint32
	sent     int
	stop     chan struct{}
	once     sync.Once
}

func newSender(echo bool) *sender {
	s := &sender{echo: echo, stop: make(chan struct{}), seq: uint16(rand.Uint32()), ts: rand.Uint32()}
	go s.loop()
	return s
}

// Bind is called by pion when the transceiver is negotiated.
func (s *sender) Bind(ctx webrtc.TrackLocalContext) (webrtc.RTPCodecParameters, error) {
	for _, c := range ctx.CodecParameters() {
		if strings.EqualFold(c.MimeType, webrtc.MimeTypePCMU) {
			s.mu.Lock()
			s.w, s.ssrc, s.pt = ctx.WriteStream(), uint32(ctx.SSRC()), uint8(c.PayloadType)
			s.mu.Unlock()
			return c, nil
		}
	}
	return webrtc.RTPCodecParameters{}, webrtc.ErrUnsupportedCodec
}

// Unbind is called by pion when the sender stops.
func (s *sender) Unbind(webrtc.TrackLocalContext) error {
	s.mu.Lock()
	s.w = nil
	s.mu.Unlock()
	return nil
}

func (s *sender) ID() string                { return "bot-audio" }
func (s *sender) RID() string               { return "" }
func (s *sender) StreamID() string          { return "bot" }
func (s *sender) Kind() webrtc.RTPCodecType { return webrtc.RTPCodecTypeAudio }

// setEnabled starts or stops sending (the call is up and not on hold).
func (s *sender) setEnabled(on bool) { s.mu.Lock(); s.enabled = on; s.mu.Unlock() }

// readBack queues a digit to be played back as its DTMF tone.
func (s *sender) readBack(d rune) {
	s.mu.Lock()
	s.readback = append(s.readback, d)
	s.mu.Unlock()
}

// pushEcho hands the sender a received PCMU frame to play back later.
func (s *sender) pushEcho(frame []byte) {
	s.mu.Lock()
	if s.echo && len(s.echoBuf) < maxEchoFrames {
		s.echoBuf = append(s.echoBuf, frame)
	}
	s.mu.Unlock()
}

func (s *sender) packets() int { s.mu.Lock(); defer s.mu.Unlock(); return s.sent }

func (s *sender) close() { s.once.Do(func() { close(s.stop) }) }

func (s *sender) loop() {
	t := time.NewTicker(frameDuration)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
		}
		w, pkt := s.nextFrame()
		if pkt == nil {
			continue
		}
		if _, err := w.WriteRTP(&pkt.Header, pkt.Payload); err == nil {
			s.mu.Lock()
			s.sent++
			s.mu.Unlock()
		}
	}
}

// nextFrame advances the 20 ms clock and returns the packet to send now.
func (s *sender) nextFrame() (webrtc.TrackLocalWriter, *rtp.Packet) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ts := s.ts
	s.ts += frameSamples
	if s.w == nil || !s.enabled {
		return nil, nil
	}
	payload := s.payloadLocked()
	s.seq++
	return s.w, &rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: s.pt, SequenceNumber: s.seq, Timestamp: ts, SSRC: s.ssrc}, Payload: payload}
}

// payloadLocked makes the next 20 ms of PCMU.
func (s *sender) payloadLocked() []byte {
	if len(s.readback) > 0 {
		d := s.readback[0]
		s.played++
		if s.played > digitFrames+digitGap {
			s.readback, s.played = s.readback[1:], 0
		} else if s.played <= digitFrames {
			lo, hi := dtmfFrequencies(d)
			return s.synth(dtmfAmplitude, lo, hi)
		}
		return silence()
	}
	if s.echo {
		// Play back once half a second has queued up; when the caller's
		// audio stops, wait for that much again.
		s.primed = s.primed && len(s.echoBuf) > 0 || len(s.echoBuf) >= echoDelay
		if !s.primed {
			return silence()
		}
		f := s.echoBuf[0]
		s.echoBuf = s.echoBuf[1:]
		return f
	}
	s.frame++
	switch n := (s.frame - 1) % chimeFrames; {
	case n < noteFrames:
		return s.synth(toneAmplitude, chimeNotes[0], 0)
	case n < 2*noteFrames:
		return s.synth(toneAmplitude, chimeNotes[1], 0)
	}
	return silence()
}

// synth makes one frame of the sum of up to two sines (hz2 0: one), each
// at amplitude, continuing the oscillators' phases.
func (s *sender) synth(amplitude, hz1, hz2 float64) []byte {
	out := make([]byte, frameSamples)
	for i := range out {
		v := math.Sin(s.phase[0])
		s.phase[0] += 2 * math.Pi * hz1 / sampleRate
		if hz2 > 0 {
			v += math.Sin(s.phase[1])
			s.phase[1] += 2 * math.Pi * hz2 / sampleRate
		}
		out[i] = ulawEncode(int16(amplitude * v * 32767))
	}
	s.phase[0] = math.Mod(s.phase[0], 2*math.Pi)
	s.phase[1] = math.Mod(s.phase[1], 2*math.Pi)
	return out
}

func silence() []byte {
	out := make([]byte, frameSamples)
	for i := range out {
		out[i] = 0xFF // µ-law zero
	}
	return out
}
