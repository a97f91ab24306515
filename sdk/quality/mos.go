// Package quality judges a call's audio from its statistics: an E-model
// estimate of the mean opinion score, and the warnings an app shows while a
// call sounds bad (high round trip, jitter, loss, a low score, or no audio at
// all), sampled once a second with hysteresis so that one bad second does not
// make a warning flicker.
package quality

import "strings"

// codecImpairment is the E-model's equipment impairment (Ie) of a codec and
// its packet-loss robustness (Bpl), ITU-T G.113 Appendix I; codecs not in the
// table are judged like G.711 with packet-loss concealment, which every
// browser's jitter buffer provides.
type codecImpairment struct{ ie, bpl float64 }

var codecs = map[string]codecImpairment{
	"pcmu": {0, 25.1},
	"pcma": {0, 25.1},
	"g722": {0, 25.1},
	"opus": {0, 20},
}

// MOS estimates the mean opinion score (1 to 4.5) of a call with the
// simplified ITU-T G.107 E-model: codec is the codec name ("PCMU", "opus",
// …), loss the fraction of packets lost (0..1), jitter and rtt in seconds.
// Unknown figures are passed as 0.
func MOS(codec string, loss, jitter, rtt float64) float64 {
	c, ok := codecs[strings.ToLower(codec)]
	if !ok {
		c = codecs["pcmu"]
	}
	if loss < 0 {
		loss = 0
	}
	if loss > 1 {
		loss = 1
	}
	// One-way delay as the listener feels it: half the round trip, the
	// jitter buffer (about twice the jitter) and the codec's framing.
	delayMS := rtt*1000/2 + 2*jitter*1000 + 10
	id := delayMS / 40
	if delayMS >= 160 {
		id = (delayMS - 120) / 10
	}
	ppl := loss * 100
	ieEff := c.ie + (95-c.ie)*ppl/(ppl+c.bpl)
	r := 93.2 - id - ieEff
	return mosFromR(r)
}

// mosFromR is G.107's mapping of the transmission rating R to MOS.
func mosFromR(r float64) float64 {
	switch {
	case r <= 0:
		return 1
	case r >= 100:
		return 4.5
	}
	m := 1 + 0.035*r + 7e-6*r*(r-60)*(100-r)
	if m < 1 {
		return 1
	}
	if m > 4.5 {
		return 4.5
	}
	return m
}
