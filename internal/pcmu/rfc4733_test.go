package pcmu

import (
	"testing"

	"github.com/pion/rtp"
	"github.com/pion/webrtc/v3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDTMFPayload(t *testing.T) {
	for _, d := range "0123456789*#ABCD" {
		ev, ok := EventOfDigit(d)
		if !ok || DigitOfEvent(ev) != d {
			t.Errorf("digit %c -> %d -> %c", d, ev, DigitOfEvent(ev))
		}
	}
	p := EventPayload(11, true, 800)
	if p[0] != 11 || p[1]&0x80 == 0 || int(p[2])<<8|int(p[3]) != 800 {
		t.Fatalf("payload % x", p)
	}
}

func TestReceiverDecodesRFC4733Once(t *testing.T) {
	var digits []rune
	var audio int
	r := NewReceiver(ReceiverOptions{OnAudio: func([]byte) { audio++ }, OnDigit: func(d rune) { digits = append(digits, d) }})
	r.LearnEventPTs("a=rtpmap:101 telephone-event/8000\r\n")
	event := func(code byte, end bool, ts uint32) *rtp.Packet {
		p := []byte{code, 10, 0, 160}
		if end {
			p[1] |= 0x80
		}
		return &rtp.Packet{Header: rtp.Header{PayloadType: 101, Timestamp: ts}, Payload: p}
	}
	r.Handle(event(1, false, 1000))
	r.Handle(event(1, true, 1000))
	r.Handle(event(1, true, 1000)) // end packets come three times
	r.Handle(event(1, true, 1000))
	r.Handle(event(11, true, 2000))
	r.Handle(&rtp.Packet{Header: rtp.Header{PayloadType: 0}, Payload: Silence()})
	assert.Equal(t, []rune{'1', '#'}, digits)
	assert.Equal(t, 1, audio)
	assert.Equal(t, -100.0, r.Level(1e9), "digital silence")
	kept, _ := r.Digits()
	assert.Equal(t, []rune{'1', '#'}, kept)
	audioPkts, events := r.Counts()
	assert.Equal(t, 1, audioPkts)
	assert.Equal(t, 5, events)
}

// A queued digit goes out as telephone-events on the event payload type,
// one timestamp for the whole event: a marked first packet, growing
// durations, three end packets, then audio for the gap.
func TestSenderEncodesRFC4733(t *testing.T) {
	s := &Sender{name: "test", w: discard{}, ptAudio: 0, ptEvent: 101, enabled: true}
	require.True(t, s.QueueDTMF("5", 3*FrameDuration, 2*FrameDuration))
	var pkts []*rtp.Packet
	for range 6 {
		_, p := s.nextFrame()
		pkts = append(pkts, p...)
	}
	require.Len(t, pkts, 3+3+2)
	for i, p := range pkts[:6] {
		assert.EqualValues(t, 101, p.PayloadType)
		assert.Equal(t, pkts[0].Timestamp, p.Timestamp, "packet %d", i)
		assert.Equal(t, i == 0, p.Marker, "packet %d", i)
		assert.EqualValues(t, 5, p.Payload[0])
		assert.Equal(t, i >= 3, p.Payload[1]&0x80 != 0, "end bit of packet %d", i)
		assert.Equal(t, uint16(min(i+1, 3)*FrameSamples), uint16(p.Payload[2])<<8|uint16(p.Payload[3]))
	}
	for _, p := range pkts[6:] {
		assert.EqualValues(t, 0, p.PayloadType)
		assert.Equal(t, Silence(), p.Payload)
	}
	assert.True(t, pkts[1].SequenceNumber == pkts[0].SequenceNumber+1)

	s.ptEvent = -1
	assert.False(t, s.QueueDTMF("1", FrameDuration, 0), "telephone-event not negotiated")
}

type discard struct{}

func (discard) WriteRTP(h *rtp.Header, p []byte) (int, error) { return len(p), nil }
func (discard) Write(b []byte) (int, error)                   { return len(b), nil }

var _ webrtc.TrackLocalWriter = discard{}
