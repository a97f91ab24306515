package pcmu

import "time"

// The audio clock: PCMU is 8 kHz, sent as 20 ms frames of 160 samples.
const (
	SampleRate    = 8000
	FrameSamples  = 160
	FrameDuration = 20 * time.Millisecond
)

// G.711 µ-law (PCMU) conversion, ITU-T G.711 with the usual bias of 0x84.

const ulawBias = 0x84

// ZeroCode is the µ-law code of a zero sample.
const ZeroCode = 0xFF

// Encode converts one 16-bit linear sample to µ-law.
func Encode(s int16) byte {
	v := int(s)
	sign := 0
	if v < 0 {
		v = -v
		sign = 0x80
	}
	if v > 32635 {
		v = 32635
	}
	v += ulawBias
	exp := 7
	for mask := 0x4000; v&mask == 0 && exp > 0; mask >>= 1 {
		exp--
	}
	mant := (v >> (exp + 3)) & 0x0F
	return ^byte(sign | exp<<4 | mant)
}

// Decode converts one µ-law byte to a 16-bit linear sample.
func Decode(u byte) int16 {
	u = ^u
	sign := u & 0x80
	exp := int(u>>4) & 0x07
	mant := int(u & 0x0F)
	v := ((mant << 3) + ulawBias) << exp
	v -= ulawBias
	if sign != 0 {
		return int16(-v)
	}
	return int16(v)
}

// Silence is one frame (20 ms) of digital silence.
func Silence() []byte {
	out := make([]byte, FrameSamples)
	for i := range out {
		out[i] = ZeroCode
	}
	return out
}

// SumSquares is the sum of the squares of a PCMU payload's samples, each
// normalised to full scale 1.0: what an RMS level is made of.
func SumSquares(payload []byte) float64 {
	var sum float64
	for _, u := range payload {
		v := float64(Decode(u)) / 32768
		sum += v * v
	}
	return sum
}
