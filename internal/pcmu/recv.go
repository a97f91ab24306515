package pcmu

import (
	"errors"
	"io"
	"math"
	"sync"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/webrtc/v3"
)

// SilenceDBFS is the level reported when no audio (or only digital
// silence) arrived in the window.
const SilenceDBFS = -100.0

// ReceiverOptions say what a Receiver does besides metering and keeping
// digits.
type ReceiverOptions struct {
	// OnAudio, if set, gets a copy of every PCMU payload received (the
	// bot's echo plays it back).
	OnAudio func(frame []byte)
	// OnDigit, if set, gets every RFC 4733 digit as it is decoded.
	OnDigit func(d rune)
	// History is how much received audio Level can look back on (at
	// least half of it is kept); default 30 s.
	History time.Duration
}

// Receiver reads the remote audio track: PCMU frames are metered (and
// handed to OnAudio); RFC 4733 telephone-events become digits, one per
// event, taken from its first end packet (the repeats are dropped).
type Receiver struct {
	opt ReceiverOptions

	mu       sync.Mutex
	eventPTs map[uint8]bool
	frames   []meteredFrame
	digits   []rune
	lastEnd  uint32 // RTP timestamp of the last event that ended
	anyEnd   bool
	audio    int       // PCMU packets received
	events   int       // telephone-event packets received
	lastAt   time.Time // when the last packet of any kind arrived
	changed  chan struct{}
}

type meteredFrame struct {
	at      time.Time
	sumSq   float64 // SumSquares of the payload
	n       int
	payload []byte // for ToneLevel (tone_level.go)
}

// NewReceiver makes a Receiver; it knows no telephone-event payload type
// until LearnEventPTs.
func NewReceiver(opt ReceiverOptions) *Receiver {
	if opt.History <= 0 {
		opt.History = 30 * time.Second
	}
	return &Receiver{opt: opt, eventPTs: map[uint8]bool{}, changed: make(chan struct{})}
}

// LearnEventPTs takes the telephone-event payload types from the SDPs.
func (r *Receiver) LearnEventPTs(sdps ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range sdps {
		for _, pt := range PayloadTypes(s, "telephone-event") {
			r.eventPTs[pt] = true
		}
	}
}

// Read handles the packets of tr until it ends.
func (r *Receiver) Read(tr *webrtc.TrackRemote) {
	for {
		pkt, _, err := tr.ReadRTP()
		if err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrClosedPipe) {
				return
			}
			continue // e.g. a payload type pion does not know: skip it
		}
		r.Handle(pkt)
	}
}

// Handle takes one received RTP packet.
func (r *Receiver) Handle(pkt *rtp.Packet) {
	r.mu.Lock()
	r.lastAt = time.Now()
	var digit rune
	audio := false
	switch {
	case r.eventPTs[pkt.PayloadType]:
		r.events++
		if eventEnds(pkt.Payload) && (!r.anyEnd || pkt.Timestamp != r.lastEnd) {
			r.anyEnd, r.lastEnd = true, pkt.Timestamp
			if digit = DigitOfEvent(pkt.Payload[0]); digit != 0 {
				r.digits = append(r.digits, digit)
				close(r.changed)
				r.changed = make(chan struct{})
			}
		}
	case pkt.PayloadType == 0:
		audio = true
		r.audio++
		r.frames = append(r.frames, meteredFrame{at: time.Now(), sumSq: SumSquares(pkt.Payload), n: len(pkt.Payload),
			payload: append([]byte(nil), pkt.Payload...)})
		// Keep History: drop the older half once the oldest frame is
		// older, or once there are more frames than History holds.
		if time.Since(r.frames[0].at) > r.opt.History || len(r.frames) > int(r.opt.History/FrameDuration) {
			r.frames = r.frames[len(r.frames)/2:]
		}
	}
	r.mu.Unlock()
	switch {
	case digit != 0 && r.opt.OnDigit != nil:
		r.opt.OnDigit(digit)
	case audio && r.opt.OnAudio != nil:
		r.opt.OnAudio(append([]byte(nil), pkt.Payload...))
	}
}

// Level is the RMS level, in dBFS (0 = full-scale square wave, a
// full-scale sine is about -3), of the PCMU audio that arrived in the
// last window; SilenceDBFS when nothing or only digital silence came.
func (r *Receiver) Level(window time.Duration) float64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	since := time.Now().Add(-window)
	var sum float64
	n := 0
	for i := len(r.frames) - 1; i >= 0 && r.frames[i].at.After(since); i-- {
		sum += r.frames[i].sumSq
		n += r.frames[i].n
	}
	if n == 0 || sum == 0 {
		return SilenceDBFS
	}
	return max(SilenceDBFS, 10*math.Log10(sum/float64(n)))
}

// SilentFor is how long no packet of any kind has arrived (counted from
// since if none arrived after it).
func (r *Receiver) SilentFor(since time.Time) time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.lastAt.After(since) {
		since = r.lastAt
	}
	return time.Since(since)
}

// Digits returns the RFC 4733 digits received so far, and a channel that
// is closed when another arrives.
func (r *Receiver) Digits() ([]rune, <-chan struct{}) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]rune(nil), r.digits...), r.changed
}

// Counts returns how many PCMU and telephone-event packets arrived.
func (r *Receiver) Counts() (audio, events int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.audio, r.events
}
