package bot

import (
	"strings"

	"github.com/webphone/exotelsdk/internal/pcmu"
)

// validDigit normalises a DTMF digit (a-d become A-D); 0 if it is none.
func validDigit(r rune) rune {
	if r >= 'a' && r <= 'd' {
		r -= 'a' - 'A'
	}
	if strings.ContainsRune(pcmu.Digits, r) {
		return r
	}
	return 0
}

// digitFromInfo reads the digit of a SIP INFO body: "application/dtmf-relay"
// ("Signal=5\r\nDuration=160\r\n", what Exotel's platform takes) or
// "application/dtmf" (just "5"). It returns 0 for anything else.
func digitFromInfo(contentType string, body []byte) rune {
	ct := strings.ToLower(strings.TrimSpace(strings.Split(contentType, ";")[0]))
	text := strings.TrimSpace(string(body))
	switch ct {
	case "application/dtmf-relay":
		for _, line := range strings.Split(text, "\n") {
			name, value, ok := strings.Cut(line, "=")
			if ok && strings.EqualFold(strings.TrimSpace(name), "Signal") {
				return oneDigit(strings.TrimSpace(value))
			}
		}
	case "application/dtmf":
		return oneDigit(text)
	}
	return 0
}

func oneDigit(s string) rune {
	if s == "10" { // some phones send * and # as event codes
		return '*'
	}
	if s == "11" {
		return '#'
	}
	r := []rune(s)
	if len(r) != 1 {
		return 0
	}
	return validDigit(r[0])
}

// dtmfFrequencies returns the low and high tone of a digit's dual tone
// (ITU-T Q.23), for playing it back in the audio.
func dtmfFrequencies(d rune) (low, high float64) {
	rows := []float64{697, 770, 852, 941}
	cols := []float64{1209, 1336, 1477, 1633}
	keypad := []string{"123A", "456B", "789C", "*0#D"}
	for r, line := range keypad {
		if c := strings.IndexRune(line, d); c >= 0 {
			return rows[r], cols[c]
		}
	}
	return 0, 0
}
