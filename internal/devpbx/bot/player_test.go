package bot

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/webphone/exotelsdk/internal/pcmu"
)

// power is the Goertzel power of frequency hz in PCMU frames.
func power(frames [][]byte, hz float64) float64 {
	k := 2 * math.Cos(2*math.Pi*hz/pcmu.SampleRate)
	var s1, s2 float64
	n := 0
	for _, f := range frames {
		for _, u := range f {
			s0 := float64(pcmu.Decode(u))/32768 + k*s1 - s2
			s2, s1 = s1, s0
			n++
		}
	}
	return (s1*s1 + s2*s2 - k*s1*s2) / float64(n*n)
}

// play returns the next n frames the player makes.
func play(s *player, n int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		out[i] = s.Frame()
	}
	return out
}

// rms is the RMS of PCMU frames, full scale 1.0.
func rms(frames [][]byte) float64 {
	var sum float64
	n := 0
	for _, f := range frames {
		sum += pcmu.SumSquares(f)
		n += len(f)
	}
	return math.Sqrt(sum / float64(n))
}

func TestChimeThenSilence(t *testing.T) {
	s := &player{}
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
	s := &player{}
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
	s := &player{echo: true}
	frame := func(b byte) []byte {
		f := make([]byte, pcmu.FrameSamples)
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
