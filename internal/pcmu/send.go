package pcmu

import (
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/webrtc/v3"
)

// dtmfEndRepeats is how many times an RFC 4733 end packet is sent.
const dtmfEndRepeats = 3

// Sender is the outgoing audio: a pion TrackLocal that writes its own RTP
// every 20 ms, so it can interleave PCMU frames from its Source with RFC
// 4733 telephone-event packets on the same SSRC. It sends only while
// enabled (the negotiated directions allow it).
type Sender struct {
	name string
	src  Source

	mu      sync.Mutex
	w       webrtc.TrackLocalWriter
	ssrc    uint32
	ptAudio uint8
	ptEvent int // -1 if telephone-event was not negotiated
	enabled bool
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
	gapAfter int    // frames of audio to send after the end packets
}

// NewSender starts a disabled sender whose track is "<name>-audio" in the
// stream name and whose audio comes from src (nil: silence). Close it.
func NewSender(name string, src Source) *Sender {
	s := &Sender{name: name, src: src, ptEvent: -1, stop: make(chan struct{}), seq: uint16(rand.Uint32()), ts: rand.Uint32()}
	go s.loop()
	return s
}

// Bind is called by pion when the transceiver is negotiated.
func (s *Sender) Bind(ctx webrtc.TrackLocalContext) (webrtc.RTPCodecParameters, error) {
	var pcmu *webrtc.RTPCodecParameters
	ev := -1
	for _, c := range ctx.CodecParameters() {
		switch {
		case strings.EqualFold(c.MimeType, webrtc.MimeTypePCMU) && pcmu == nil:
			c := c
			pcmu = &c
		case strings.EqualFold(c.MimeType, MimeTelephoneEvent) && (ev < 0 || c.ClockRate == SampleRate):
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
func (s *Sender) Unbind(webrtc.TrackLocalContext) error {
	s.mu.Lock()
	s.w = nil
	s.mu.Unlock()
	return nil
}

// ID is the track's id, "<name>-audio".
func (s *Sender) ID() string { return s.name + "-audio" }

// RID is empty: no simulcast.
func (s *Sender) RID() string { return "" }

// StreamID is the media stream's id, the sender's name.
func (s *Sender) StreamID() string { return s.name }

// Kind is audio.
func (s *Sender) Kind() webrtc.RTPCodecType { return webrtc.RTPCodecTypeAudio }

// SetEnabled starts or stops sending.
func (s *Sender) SetEnabled(on bool) { s.mu.Lock(); s.enabled = on; s.mu.Unlock() }

// QueueDTMF queues digits (0-9 * # A-D) to be sent as telephone-events,
// each lasting dur with gap of audio after it. It reports false, queueing
// nothing, when telephone-event was not negotiated.
func (s *Sender) QueueDTMF(digits string, dur, gap time.Duration) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ptEvent < 0 {
		return false
	}
	for _, d := range digits {
		if ev, ok := EventOfDigit(d); ok {
			s.dtmf = append(s.dtmf, dtmfTone{event: ev, frames: max(1, int(dur/FrameDuration)), gapAfter: int(gap / FrameDuration)})
		}
	}
	return true
}

// Packets counts the RTP packets sent.
func (s *Sender) Packets() int { s.mu.Lock(); defer s.mu.Unlock(); return s.sent }

// Close stops the sender's clock; it is safe to call more than once.
func (s *Sender) Close() { s.once.Do(func() { close(s.stop) }) }

func (s *Sender) loop() {
	t := time.NewTicker(FrameDuration)
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
func (s *Sender) nextFrame() (webrtc.TrackLocalWriter, []*rtp.Packet) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ts := s.ts
	s.ts += FrameSamples
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
			dur := uint16(d.played * FrameSamples)
			return s.w, []*rtp.Packet{pkt(uint8(s.ptEvent), d.played == 1, d.startTS, EventPayload(d.event, false, dur))}
		case d.played == d.frames:
			d.played++
			dur := uint16(d.frames * FrameSamples)
			var out []*rtp.Packet
			for i := 0; i < dtmfEndRepeats; i++ {
				out = append(out, pkt(uint8(s.ptEvent), false, d.startTS, EventPayload(d.event, true, dur)))
			}
			return s.w, out
		case d.played < d.frames+1+d.gapAfter:
			d.played++ // inter-digit gap: plain audio below
		default:
			s.dtmf = s.dtmf[1:]
		}
	}
	payload := Silence()
	if s.src != nil {
		payload = s.src.Frame()
	}
	return s.w, []*rtp.Packet{pkt(s.ptAudio, false, ts, payload)}
}
