package diagnostics

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// LevelStats are the figures of a speaker or mic level test for the report:
// the peak level, how many readings, how many were audible, how many failed.
// Not safe for concurrent use: the test holds its own lock.
type LevelStats struct {
	Peak     float64
	Readings int
	Audible  int // readings above zero
	Errors   int // readings that could not be taken
}

// Add records one reading; ok false is a reading that could not be taken.
// Non-finite levels count as failed readings.
func (s *LevelStats) Add(level float64, ok bool) {
	s.Readings++
	if !ok || math.IsNaN(level) || math.IsInf(level, 0) {
		s.Errors++
		return
	}
	if level > 0 {
		s.Audible++
	}
	if level > s.Peak {
		s.Peak = level
	}
}

// Summary is the measurement in words, for the report.
func (s LevelStats) Summary(elapsed time.Duration) string {
	return strings.Join([]string{
		"peak level " + strconv.FormatFloat(s.Peak, 'f', 1, 64) + " (0..255)",
		strconv.Itoa(s.Readings) + " readings in " + elapsed.Round(100*time.Millisecond).String(),
		strconv.Itoa(s.Audible) + " audible", strconv.Itoa(s.Errors) + " errors",
	}, ", ")
}

// MeanLevel is a level on Exotel's scale: the mean of a byte frequency
// spectrum (AnalyserNode.getByteFrequencyData), 0 (silence) to 255.
func MeanLevel(spectrum []byte) float64 {
	if len(spectrum) == 0 {
		return 0
	}
	sum := 0
	for _, b := range spectrum {
		sum += int(b)
	}
	return float64(sum) / float64(len(spectrum))
}

// BrowserVersion is "name/version" from a user agent, as Exotel's
// getBrowserData gives it ("Chrome/120.0.0.0"); headless Chromium counts as
// Chrome.
func BrowserVersion(ua string) string {
	for _, b := range []struct{ token, name string }{
		{"Edg/", "Edge"}, {"Edge/", "Edge"}, {"OPR/", "Opera"}, {"Firefox/", "Firefox"},
		{"Chrome/", "Chrome"}, {"CriOS/", "Chrome"}, {"Version/", "Safari"},
	} {
		if i := strings.Index(ua, b.token); i >= 0 {
			v := ua[i+len(b.token):]
			if j := strings.IndexAny(v, " ;)"); j >= 0 {
				v = v[:j]
			}
			return b.name + "/" + v
		}
	}
	if i := strings.LastIndexByte(ua, ' '); i >= 0 && strings.Contains(ua[i+1:], "/") {
		return ua[i+1:]
	}
	return ua
}
