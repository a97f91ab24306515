package pcmu

import (
	"math"
	"sync"
)

// Oscillator makes PCMU frames of one sine or the sum of two (a DTMF dual
// tone), keeping the phases from frame to frame so the sound is seamless.
// Its zero value is ready; it is not safe for concurrent use.
type Oscillator struct {
	phase [2]float64
}

// Frame makes one frame (20 ms) of the sum of sines at hz1 and hz2 (0:
// only hz1), each at amplitude (of full scale), continuing the phases.
func (o *Oscillator) Frame(amplitude, hz1, hz2 float64) []byte {
	out := make([]byte, FrameSamples)
	for i := range out {
		v := math.Sin(o.phase[0])
		o.phase[0] += 2 * math.Pi * hz1 / SampleRate
		if hz2 > 0 {
			v += math.Sin(o.phase[1])
			o.phase[1] += 2 * math.Pi * hz2 / SampleRate
		}
		out[i] = Encode(int16(amplitude * v * 32767))
	}
	o.phase[0] = math.Mod(o.phase[0], 2*math.Pi)
	o.phase[1] = math.Mod(o.phase[1], 2*math.Pi)
	return out
}

// Source gives a Sender its audio: Frame is called every 20 ms that the
// Sender sends audio (not while it sends a telephone-event, nor while it
// is disabled) and returns the next 160 bytes of PCMU.
type Source interface {
	Frame() []byte
}

// Tone is a Source that plays a sine whose frequency can change at any
// time, or silence while the frequency is 0 (the start).
type Tone struct {
	amplitude float64

	mu  sync.Mutex
	hz  float64
	osc Oscillator
}

// NewTone makes a silent Tone whose sine, once set, is at amplitude (of
// full scale: 0.5 is about -9 dBFS RMS).
func NewTone(amplitude float64) *Tone { return &Tone{amplitude: amplitude} }

// SetFrequency plays a sine of hz from the next frame on; 0 is silence.
func (t *Tone) SetFrequency(hz float64) { t.mu.Lock(); t.hz = hz; t.mu.Unlock() }

// Frame is the next 20 ms of the tone.
func (t *Tone) Frame() []byte {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.hz > 0 {
		return t.osc.Frame(t.amplitude, t.hz, 0)
	}
	return Silence()
}
