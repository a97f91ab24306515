package farend

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
	sampleRate     = 8000
	frameSamples   = 160 // 20 ms of PCMU
	frameDuration  = 20 * time.Millisecond
	toneAmplitude  = 0.5 // of full scale: a sine at about -9 dBFS RMS
	dtmfEndRepeats = 3   // RFC 4733 end packets are sent three times
)

// audioSender is the far end's outgoing audio: a pion TrackLocal that
// writes its own RTP so it can interleave PCMU frames (silence or a tone)
// with RFC 4733 telephone-event packets on the same SSRC, every 20 ms.
type audioSender struct {
	mu      sync.Mutex
	w       webrtc.TrackLocalWriter
	ssrc    uint32
	ptAudio uint8
	ptEvent int // -1 if telephone-event was not negotiated
	enabled bool
	toneHz  float64
	phase   float64
	dtmf    []dtmfTone // queued digits; dtmf[0] is playing
	seq     uint16
	ts      uint32
	sent    int // RTP packets written
	stop    chan struct{}
	once    sync.Once
}

type dtmfTone struct {
	event    uint8
	frames   int    // total frames of tone
	played   int    // frames sent so far
	startTS  uint32 // RTP timestamp of the event (constant across its packets)
	gapAfter int    // silent frames to send after the end packets
}

func newAudioSender() *audioSender {
	s := &audioSender{ptEvent: -1, stop: make(chan struct{}), seq: uint16(rand.Uint32()), ts: rand.Uint32()}
	go s.loop()
	return s
}

// Bind is called by pion when the transceiver is negotiated.
func (s *audioSender) Bind(ctx webrtc.TrackLocalContext) (webrtc.RTPCodecParameters, error) {
	var pcmu *webrtc.RTPCodecParameters
	ev := -1
	for _, c := range ctx.CodecParameters() {
		switch {
		case strings.EqualFold(c.MimeType, webrtc.MimeTypePCMU) && pcmu == nil:
			c := c
			pcmu = &c
		case strings.EqualFold(c.MimeType, mimeTelephoneEvent) && (ev < 0 || c.ClockRate == sampleRate):
			ev = int(c.PayloadType)
		}
	}
	if pcmu == nil {
		return webrtc.RTPCodecParameters{}, webrtc.ErrUnsupportedCodec
	}
	s.mu.Lock()
	s.w, s.ssrc, s.ptAudio, s.ptEvent = ctx.WriteStream(), uint32(ctx.SSRC()), uint8(pcmu.PayloadType), ev
	s.mu.Unlock()
	return *pcmu, nil
}

// Unbind is called by pion when the sender stops.
func (s *audioSender) Unbind(webrtc.TrackLocalContext) error {
	s.mu.Lock()
	s.w = nil
	s.mu.Unlock()
	return nil
}

func (s *audioSender) ID() string                { return "farend-audio" }
func (s *audioSender) RID() string               { return "" }
func (s *audioSender) StreamID() string          { return "farend" }
func (s *audioSender) Kind() webrtc.RTPCodecType { return webrtc.RTPCodecTypeAudio }

func (s *audioSender) setEnabled(on bool) { s.mu.Lock(); s.enabled = on; s.mu.Unlock() }

func (s *audioSender) setTone(hz float64) { s.mu.Lock(); s.toneHz = hz; s.mu.Unlock() }

// queueDTMF queues digits (0-9 * # A-D) to be sent as telephone-events.
func (s *audioSender) queueDTMF(digits string, dur, gap time.Duration) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ptEvent < 0 {
		return false
	}
	for _, d := range digits {
		if ev, ok := dtmfEvent(d); ok {
			s.dtmf = append(s.dtmf, dtmfTone{event: ev, frames: max(1, int(dur/frameDuration)), gapAfter: int(gap / frameDuration)})
		}
	}
	return true
}

func (s *audioSender) packets() int { s.mu.Lock(); defer s.mu.Unlock(); return s.sent }

func (s *audioSender) close() { s.once.Do(func() { close(s.stop) }) }

func (s *audioSender) loop() {
	t := time.NewTicker(frameDuration)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
		}
		w, pkts := s.nextFrame()
		for _, p := range pkts {
			if _, err := w.WriteRTP(&p.Header, p.Payload); err == nil {
				s.mu.Lock()
				s.sent++
				s.mu.Unlock()
			}
		}
	}
}

// nextFrame advances the 20 ms clock and returns the packets to send now.
func (s *audioSender) nextFrame() (webrtc.TrackLocalWriter, []*rtp.Packet) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ts := s.ts
	s.ts += frameSamples
	if s.w == nil || !s.enabled {
		return nil, nil
	}
	pkt := func(pt uint8, marker bool, stamp uint32, payload []byte) *rtp.Packet {
		s.seq++
		return &rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: pt, SequenceNumber: s.seq, Timestamp: stamp, SSRC: s.ssrc, Marker: marker}, Payload: payload}
	}
	if len(s.dtmf) > 0 {
		d := &s.dtmf[0]
		if d.played == 0 {
			d.startTS = ts
		}
		switch {
		case d.played < d.frames:
			d.played++
			dur := uint16(d.played * frameSamples)
			return s.w, []*rtp.Packet{pkt(uint8(s.ptEvent), d.played == 1, d.startTS, eventPayload(d.event, false, dur))}
		case d.played == d.frames:
			d.played++
			dur := uint16(d.frames * frameSamples)
			var out []*rtp.Packet
			for i := 0; i < dtmfEndRepeats; i++ {
				out = append(out, pkt(uint8(s.ptEvent), false, d.startTS, eventPayload(d.event, true, dur)))
			}
			return s.w, out
		case d.played < d.frames+1+d.gapAfter:
			d.played++ // inter-digit gap: plain audio below
		default:
			s.dtmf = s.dtmf[1:]
		}
	}
	payload := make([]byte, frameSamples)
	for i := range payload {
		v := 0.0
		if s.toneHz > 0 {
			v = toneAmplitude * math.Sin(s.phase)
			s.phase += 2 * math.Pi * s.toneHz / sampleRate
		}
		payload[i] = ulawEncode(int16(v * 32767))
	}
	s.phase = math.Mod(s.phase, 2*math.Pi)
	return s.w, []*rtp.Packet{pkt(s.ptAudio, false, ts, payload)}
}

// eventPayload encodes an RFC 4733 telephone-event payload (volume -10 dBm0).
func eventPayload(event uint8, end bool, duration uint16) []byte {
	b := []byte{event, 10, byte(duration >> 8), byte(duration)}
	if end {
		b[1] |= 0x80
	}
	return b
}

// dtmfEvent maps a DTMF digit to its RFC 4733 event code.
func dtmfEvent(d rune) (uint8, bool) {
	i := strings.IndexRune("0123456789*#ABCD", d)
	if i < 0 {
		i = strings.IndexRune("0123456789*#abcd", d)
	}
	if i < 0 {
		return 0, false
	}
	return uint8(i), true
}

// dtmfDigit maps an RFC 4733 event code to its digit, or 0.
func dtmfDigit(ev uint8) rune {
	if int(ev) < len("0123456789*#ABCD") {
		return rune("0123456789*#ABCD"[ev])
	}
	return 0
}
