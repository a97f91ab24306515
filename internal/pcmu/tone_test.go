package pcmu

import (
	"testing"
	"time"

	"github.com/pion/rtp"
	"github.com/stretchr/testify/assert"
)

// level is the level, in dBFS, at which a Receiver hears n frames of src.
func level(src Source, n int) float64 {
	r := NewReceiver(ReceiverOptions{})
	for range n {
		r.Handle(&rtp.Packet{Header: rtp.Header{PayloadType: 0}, Payload: src.Frame()})
	}
	return r.Level(time.Minute)
}

// A Tone is silent until set, a sine at its amplitude (0.5: about -9 dBFS
// at a Receiver), and silent again at 0 Hz.
func TestToneLevel(t *testing.T) {
	tone := NewTone(0.5)
	assert.Equal(t, Silence(), tone.Frame(), "silent at first")
	assert.Equal(t, SilenceDBFS, level(tone, 10))
	tone.SetFrequency(440)
	assert.InDelta(t, -9.0, level(tone, 50), 0.2, "dBFS")
	tone.SetFrequency(0)
	assert.Equal(t, Silence(), tone.Frame(), "silent again")
	assert.Len(t, Silence(), FrameSamples)
}

type dualTone struct{ Oscillator }

func (d *dualTone) Frame() []byte { return d.Oscillator.Frame(0.25, 770, 1336) }

// The oscillator's two sines add up: two at 0.25 of full scale have an
// RMS of 0.25, -12 dBFS.
func TestOscillatorDualTone(t *testing.T) {
	assert.InDelta(t, -12.0, level(&dualTone{}, 50), 0.2, "dBFS")
}
