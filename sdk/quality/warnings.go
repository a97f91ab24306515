package quality

// The warnings of the "Call quality" contract, in the order Warnings lists them.
const (
	HighRTT        = "high-rtt"
	HighJitter     = "high-jitter"
	HighPacketLoss = "high-packet-loss"
	LowMOS         = "low-mos"
	NoAudio        = "no-audio-received"
)

// Thresholds of the contract: beyond them a sample is bad.
const (
	MaxRTT         = 0.400 // seconds
	MaxJitter      = 0.030 // seconds
	MaxLoss        = 0.03  // fraction of packets, over LossWindow samples
	MinMOS         = 3.5
	LossWindow     = 5 // samples (seconds) the loss is measured over
	SilenceSamples = 3 // samples (seconds) without an inbound packet that count as no audio
)

// Hysteresis: a warning is raised when RaiseAfter of the last Window samples
// are bad, and cleared after ClearAfter good samples in a row.
const (
	Window     = 5
	RaiseAfter = 3
	ClearAfter = 5
)

var allWarnings = []string{HighRTT, HighJitter, HighPacketLoss, LowMOS, NoAudio}

// Sample is one reading (once a second) of a call's statistics.
type Sample struct {
	Codec           string
	PacketsReceived uint64  // inbound audio packets since the call started
	PacketsLost     int64   // inbound audio packets lost since the call started
	Jitter          float64 // inbound jitter, seconds
	RoundTripTime   float64 // seconds; 0 when not known yet
	// Connected is false before the call is up; Held is true while either
	// side holds it, when no audio is expected.
	Connected bool
	Held      bool
}

// Change is a warning raised (Raised true) or cleared.
type Change struct {
	Warning string
	Raised  bool
	Value   float64 // the figure of the sample that changed it (seconds, fraction, MOS or seconds of silence)
}

// Monitor turns a call's samples into warnings. It is not safe for
// concurrent use; the zero value is not ready, use NewMonitor.
type Monitor struct {
	history []Sample // the last LossWindow+1 samples, oldest first
	checks  map[string]*check
	mos     float64
}

// check is the recent outcomes of one warning.
type check struct {
	recent []bool // last Window outcomes, true = bad
	good   int    // good samples in a row
	raised bool
}

// NewMonitor returns a monitor with no warnings raised.
func NewMonitor() *Monitor {
	m := &Monitor{checks: map[string]*check{}}
	for _, w := range allWarnings {
		m.checks[w] = &check{}
	}
	return m
}

// Add takes the next sample and returns the warnings it raised or cleared.
func (m *Monitor) Add(s Sample) []Change {
	m.history = append(m.history, s)
	if len(m.history) > LossWindow+1 {
		m.history = m.history[1:]
	}
	loss := m.windowLoss()
	m.mos = MOS(s.Codec, loss, s.Jitter, s.RoundTripTime)
	silent := m.silentFor()
	bad := map[string]struct {
		bad   bool
		value float64
	}{
		HighRTT:        {s.RoundTripTime > MaxRTT, s.RoundTripTime},
		HighJitter:     {s.Jitter > MaxJitter, s.Jitter},
		HighPacketLoss: {loss > MaxLoss, loss},
		LowMOS:         {m.mos < MinMOS, m.mos},
		NoAudio:        {silent >= SilenceSamples, float64(silent)},
	}
	var changes []Change
	for _, w := range allWarnings {
		o := bad[w]
		if c := m.checks[w]; c.add(o.bad) {
			changes = append(changes, Change{Warning: w, Raised: c.raised, Value: o.value})
		}
	}
	return changes
}

// add records one outcome and reports whether the warning changed.
func (c *check) add(bad bool) bool {
	c.recent = append(c.recent, bad)
	if len(c.recent) > Window {
		c.recent = c.recent[1:]
	}
	if bad {
		c.good = 0
	} else {
		c.good++
	}
	if !c.raised {
		n := 0
		for _, b := range c.recent {
			if b {
				n++
			}
		}
		if n >= RaiseAfter {
			c.raised = true
			return true
		}
		return false
	}
	if c.good >= ClearAfter {
		c.raised = false
		c.recent = nil
		return true
	}
	return false
}

// windowLoss is the fraction of inbound packets lost between the oldest
// and the newest sample of the history.
func (m *Monitor) windowLoss() float64 {
	first, last := m.history[0], m.history[len(m.history)-1]
	lost := last.PacketsLost - first.PacketsLost
	received := int64(last.PacketsReceived) - int64(first.PacketsReceived)
	if lost < 0 || received < 0 || lost+received == 0 {
		return 0
	}
	return float64(lost) / float64(lost+received)
}

// silentFor counts the samples, newest first, over which no inbound packet
// arrived while the call was connected and not held.
func (m *Monitor) silentFor() int {
	n := 0
	for i := len(m.history) - 1; i > 0; i-- {
		cur, prev := m.history[i], m.history[i-1]
		if !cur.Connected || cur.Held || !prev.Connected || prev.Held || cur.PacketsReceived != prev.PacketsReceived {
			break
		}
		n++
	}
	return n
}

// MOS is the score of the newest sample, or 0 before the first.
func (m *Monitor) MOS() float64 { return m.mos }

// Warnings lists the warnings raised now, in the contract's order.
func (m *Monitor) Warnings() []string {
	out := []string{}
	for _, w := range allWarnings {
		if m.checks[w].raised {
			out = append(out, w)
		}
	}
	return out
}
