package bot

import (
	"math"
	"testing"

	"github.com/pion/rtp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// power is the Goertzel power of frequency hz in PCMU frames.
func power(frames [][]byte, hz float64) float64 {
	k := 2 * math.Cos(2*math.Pi*hz/sampleRate)
	var s1, s2 float64
	n := 0
	for _, f := range frames {
		for _, u := range f {
			s0 := float64(ulawDecode(u))/32768 + k*s1 - s2
			s2, s1 = s1, s0
			n++
		}
	}
	return (s1*s1 + s2*s2 - k*s1*s2) / float64(n*n)
}

// play returns the next n frames the sender would send.
func play(s *sender, n int) [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([][]byte, n)
	for i := range out {
		out[i] = s.payloadLocked()
	}
	return out
}

func rms(frames [][]byte) float64 {
	var sum float64
	n := 0
	for _, f := range frames {
		for _, u := range f {
			v := float64(ulawDecode(u)) / 32768
			sum += v * v
			n++
		}
	}
	return math.Sqrt(sum / float64(n))
}

func TestChimeThenSilence(t *testing.T) {
	s := &sender{stop: make(chan struct{})}
	first := play(s, noteFrames)
	second := play(s, noteFrames)
	pause := play(s, noteFrames)
	assert.Greater(t, power(first, chimeNotes[0]), 100*power(first, chimeNotes[1]), "first note")
	assert.Greater(t, power(second, chimeNotes[1]), 100*power(second, chimeNotes[0]), "second note")
	assert.InDelta(t, toneAmplitude/math.Sqrt2, rms(first), 0.02)
	assert.Zero(t, rms(pause))
}

// A digit read back is its DTMF pair of tones (Q.23), then a gap.
func TestReadBackPlaysTheDigitsDualTone(t *testing.T) {
	s := &sender{stop: make(chan struct{})}
	s.readBack('5')
	tone := play(s, digitFrames)
	lo, hi := dtmfFrequencies('5')
	assert.Equal(t, 770.0, lo)
	assert.Equal(t, 1336.0, hi)
	other := power(tone, 697) + power(tone, 1209) + power(tone, chimeNotes[0])
	assert.Greater(t, power(tone, lo), 50*other)
	assert.Greater(t, power(tone, hi), 50*other)
	assert.Zero(t, rms(play(s, digitGap)), "a gap after the digit")
	after := play(s, 5)
	assert.Greater(t, power(after, chimeNotes[0]), power(after, lo), "then the chime again")
}

// The echo plays back what it received, half a second later.
func TestEchoIsDelayed(t *testing.T) {
	s := &sender{echo: true, stop: make(chan struct{})}
	frame := func(b byte) []byte {
		f := make([]byte, frameSamples)
		for i := range f {
			f[i] = b
		}
		return f
	}
	for i := 0; i < echoDelay-1; i++ {
		s.pushEcho(frame(byte(i)))
		assert.Zero(t, rms(play(s, 1)), "silent until %d frames have queued", echoDelay)
	}
	s.pushEcho(frame(byte(echoDelay - 1)))
	assert.Equal(t, frame(0), play(s, 1)[0], "then the first frame received")
	assert.Equal(t, frame(1), play(s, 1)[0])
}

func TestReceiverDecodesRFC4733Once(t *testing.T) {
	var digits []rune
	var audio int
	r := newReceiver(func([]byte) { audio++ }, func(d rune) { digits = append(digits, d) })
	r.learnEventPTs("a=rtpmap:101 telephone-event/8000\r\n")
	event := func(code byte, end bool, ts uint32) *rtp.Packet {
		p := []byte{code, 10, 0, 160}
		if end {
			p[1] |= 0x80
		}
		return &rtp.Packet{Header: rtp.Header{PayloadType: 101, Timestamp: ts}, Payload: p}
	}
	r.handle(event(1, false, 1000))
	r.handle(event(1, true, 1000))
	r.handle(event(1, true, 1000)) // end packets come three times
	r.handle(event(1, true, 1000))
	r.handle(event(11, true, 2000))
	r.handle(&rtp.Packet{Header: rtp.Header{PayloadType: 0}, Payload: silence()})
	assert.Equal(t, []rune{'1', '#'}, digits)
	assert.Equal(t, 1, audio)
	assert.Equal(t, -100.0, r.level(1e9), "digital silence")
}

func TestDigitFromInfo(t *testing.T) {
	cases := []struct {
		ct, body string
		want     rune
	}{
		{"application/dtmf-relay", "Signal=5\r\nDuration=160\r\n", '5'},
		{"application/dtmf-relay; charset=utf-8", "signal= #\nDuration=100", '#'},
		{"application/dtmf-relay", "Signal=11\r\n", '#'},
		{"application/dtmf-relay", "Signal=d\r\n", 'D'},
		{"application/dtmf", "7", '7'},
		{"application/dtmf-relay", "Signal=x\r\n", 0},
		{"text/plain", "Signal=5", 0},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, digitFromInfo(c.ct, []byte(c.body)), "%s %q", c.ct, c.body)
	}
}

func TestULawRoundTrip(t *testing.T) {
	for _, v := range []int16{0, 1, -1, 100, -100, 1000, -1000, 10000, -10000, 32000, -32000} {
		got := ulawDecode(ulawEncode(v))
		require.InDelta(t, float64(v), float64(got), math.Max(8, math.Abs(float64(v))*0.07), "sample %d", v)
	}
}
