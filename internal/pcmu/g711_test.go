package pcmu

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestG711RoundTrip(t *testing.T) {
	for _, s := range []int16{0, 1, -1, 100, -100, 1000, -1000, 8000, -8000, 32000, -32000} {
		got := Decode(Encode(s))
		if d := math.Abs(float64(got) - float64(s)); d > math.Max(8, math.Abs(float64(s))/16) {
			t.Errorf("%d -> %d", s, got)
		}
	}
	if Encode(0) != ZeroCode || Decode(ZeroCode) != 0 {
		t.Error("zero must encode to 0xFF and back")
	}
	for _, v := range []int16{0, 1, -1, 100, -100, 1000, -1000, 10000, -10000, 32000, -32000} {
		got := Decode(Encode(v))
		require.InDelta(t, float64(v), float64(got), math.Max(8, math.Abs(float64(v))*0.07), "sample %d", v)
	}
}
