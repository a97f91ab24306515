package pcmu

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
)

// A mix of tones is measured tone by tone: each present one at its level,
// one absent 120 Hz away below -60 dBFS.
func TestToneLevelTellsMixedTonesApart(t *testing.T) {
	samples := make([]float64, SampleRate/2)
	for i := range samples {
		ts := float64(i) / SampleRate
		samples[i] = 0.3*math.Sin(2*math.Pi*660*ts) + 0.3*math.Sin(2*math.Pi*880*ts+1)
	}
	want := 20 * math.Log10(0.3/math.Sqrt2)
	assert.InDelta(t, want, toneLevel(samples, 660), 0.5)
	assert.InDelta(t, want, toneLevel(samples, 880), 0.5)
	assert.Less(t, toneLevel(samples, 1000), -60.0)
	assert.Less(t, toneLevel(samples, 440), -60.0)
	assert.Equal(t, SilenceDBFS, toneLevel(nil, 440))
	assert.Equal(t, SilenceDBFS, toneLevel(make([]float64, 800), 440))
}
