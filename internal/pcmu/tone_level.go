package pcmu

import (
	"math"
	"time"
)

// ToneLevel is the level, in dBFS as Level reports it (a sine's RMS), of
// the freqHz component of the PCMU audio that arrived in the last window:
// a Hann-windowed Goertzel over the decoded samples, so that tones a few
// tens of hertz apart are told apart (a conference's far end hears several
// at once). SilenceDBFS when nothing, or nothing at that frequency, came.
func (r *Receiver) ToneLevel(window time.Duration, freqHz float64) float64 {
	r.mu.Lock()
	since := time.Now().Add(-window)
	first := len(r.frames)
	for first > 0 && r.frames[first-1].at.After(since) {
		first--
	}
	var samples []float64
	for _, f := range r.frames[first:] {
		for _, u := range f.payload {
			samples = append(samples, float64(Decode(u))/32768)
		}
	}
	r.mu.Unlock()
	return toneLevel(samples, freqHz)
}

// toneLevel is the dBFS of the freqHz component of samples (8 kHz).
func toneLevel(samples []float64, freqHz float64) float64 {
	n := len(samples)
	if n < 2 {
		return SilenceDBFS
	}
	coeff := 2 * math.Cos(2*math.Pi*freqHz/SampleRate)
	var s1, s2, wsum float64
	for i, x := range samples {
		w := 0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/float64(n-1))
		wsum += w
		s0 := x*w + coeff*s1 - s2
		s2, s1 = s1, s0
	}
	power := s1*s1 + s2*s2 - coeff*s1*s2 // |X(f)|²
	amplitude := 2 * math.Sqrt(math.Max(power, 0)) / wsum
	if amplitude == 0 {
		return SilenceDBFS
	}
	return max(SilenceDBFS, 20*math.Log10(amplitude/math.Sqrt2))
}
