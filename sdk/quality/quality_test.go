package quality

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMOSOfACleanCallIsNearTheTop(t *testing.T) {
	m := MOS("PCMU", 0, 0.002, 0.02)
	assert.InDelta(t, 4.4, m, 0.05)
	assert.LessOrEqual(t, m, 4.5)
}

func TestMOSFallsWithLossJitterAndDelay(t *testing.T) {
	clean := MOS("PCMU", 0, 0.005, 0.05)
	assert.Less(t, MOS("PCMU", 0.03, 0.005, 0.05), clean)
	assert.Less(t, MOS("PCMU", 0.10, 0.005, 0.05), MinMOS, "10% loss is a poor call")
	assert.Greater(t, MOS("PCMU", 0.01, 0.005, 0.05), 4.0, "1% loss is still good")
	assert.Less(t, MOS("PCMU", 0, 0.005, 0.8), MinMOS, "800 ms of round trip is a poor call")
	assert.Less(t, MOS("opus", 0, 0.1, 0.05), clean, "jitter costs delay")
	assert.Equal(t, 1.0, MOS("PCMU", 1, 1, 5), "a dead call bottoms out at 1")
	assert.Equal(t, MOS("PCMU", 0.02, 0.01, 0.1), MOS("something-new", 0.02, 0.01, 0.1), "unknown codecs are judged like G.711")
}

// feed adds n one-second samples built by next(i) and returns every change.
func feed(m *Monitor, n int, next func(i int) Sample) []Change {
	var all []Change
	for i := 0; i < n; i++ {
		all = append(all, m.Add(next(i))...)
	}
	return all
}

// stream is a connected PCMU call receiving 50 packets a second, losing
// lossPerSecond of them, from second start on.
type stream struct{ received, lost uint64 }

func (s *stream) next(lossPerSecond uint64, jitter, rtt float64) Sample {
	s.received += 50 - lossPerSecond
	s.lost += lossPerSecond
	return Sample{Codec: "PCMU", PacketsReceived: s.received, PacketsLost: int64(s.lost), Jitter: jitter, RoundTripTime: rtt, Connected: true}
}

func TestGoodCallRaisesNothing(t *testing.T) {
	m, s := NewMonitor(), &stream{}
	changes := feed(m, 30, func(int) Sample { return s.next(0, 0.004, 0.03) })
	assert.Empty(t, changes)
	assert.Equal(t, []string{}, m.Warnings())
	assert.Greater(t, m.MOS(), 4.0)
}

func TestPacketLossIsRaisedAfterThreeBadSamplesAndClearedAfterFiveGood(t *testing.T) {
	m, s := NewMonitor(), &stream{}
	feed(m, 10, func(int) Sample { return s.next(0, 0.004, 0.03) })
	raisedAt := -1
	for i := 0; i < 10 && raisedAt < 0; i++ {
		for _, c := range m.Add(s.next(5, 0.004, 0.03)) { // 10% loss
			if c.Warning == HighPacketLoss && c.Raised {
				raisedAt = i + 1
				assert.Greater(t, c.Value, MaxLoss)
			}
		}
	}
	require.Positive(t, raisedAt, "10%% loss raises high-packet-loss")
	assert.LessOrEqual(t, raisedAt, 6, "raised within a few seconds")
	assert.Contains(t, m.Warnings(), HighPacketLoss)

	clearedAt := -1
	for i := 0; i < 15 && clearedAt < 0; i++ {
		for _, c := range m.Add(s.next(0, 0.004, 0.03)) {
			if c.Warning == HighPacketLoss && !c.Raised {
				clearedAt = i + 1
			}
		}
	}
	require.Positive(t, clearedAt, "recovery clears high-packet-loss")
	assert.GreaterOrEqual(t, clearedAt, ClearAfter, "not before five good samples")
	assert.LessOrEqual(t, clearedAt, 10, "cleared within 10 s of recovery")
	assert.NotContains(t, m.Warnings(), HighPacketLoss)
}

func TestOneBadSecondInFiveDoesNotRaise(t *testing.T) {
	m := NewMonitor()
	changes := feed(m, 30, func(i int) Sample {
		rtt := 0.05
		if i%5 == 0 {
			rtt = 0.9
		}
		return Sample{Codec: "PCMU", PacketsReceived: uint64(50 * (i + 1)), Jitter: 0.004, RoundTripTime: rtt, Connected: true}
	})
	for _, c := range changes {
		assert.NotEqual(t, HighRTT, c.Warning, "an isolated spike is not a warning")
	}
}

func TestHighRTTAndJitterAndLowMOS(t *testing.T) {
	m, s := NewMonitor(), &stream{}
	feed(m, 5, func(int) Sample { return s.next(0, 0.05, 0.9) })
	assert.Equal(t, []string{HighRTT, HighJitter, LowMOS}, m.Warnings())
	feed(m, 4, func(int) Sample { return s.next(0, 0.004, 0.03) })
	assert.Equal(t, []string{HighRTT, HighJitter, LowMOS}, m.Warnings(), "four good samples are not enough")
	feed(m, 1, func(int) Sample { return s.next(0, 0.004, 0.03) })
	assert.Equal(t, []string{}, m.Warnings())
}

func TestNoAudioReceivedOnlyWhileConnectedAndNotHeld(t *testing.T) {
	m := NewMonitor()
	frozen := func(held bool) func(int) Sample {
		return func(int) Sample {
			return Sample{Codec: "PCMU", PacketsReceived: 100, Connected: true, Held: held}
		}
	}
	changes := feed(m, 20, frozen(true))
	assert.Empty(t, changes, "a held call expects no audio")

	m = NewMonitor()
	feed(m, 1, frozen(false))
	var raisedAfter int
	for i := 1; i <= 10 && raisedAfter == 0; i++ {
		for _, c := range m.Add(frozen(false)(i)) {
			if c.Warning == NoAudio && c.Raised {
				raisedAfter = i
			}
		}
	}
	require.NotZero(t, raisedAfter, "a connected call that hears nothing raises no-audio-received")
	assert.GreaterOrEqual(t, raisedAfter, SilenceSamples+RaiseAfter-1, "only after 3 s of silence, seen in 3 samples")
	assert.Equal(t, []string{NoAudio}, m.Warnings())

	n := uint64(100)
	changes = feed(m, ClearAfter, func(int) Sample {
		n += 50
		return Sample{Codec: "PCMU", PacketsReceived: n, Connected: true}
	})
	assert.Equal(t, []Change{{Warning: NoAudio, Raised: false, Value: 0}}, changes)
}
