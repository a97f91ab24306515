package farend

import (
	"errors"
	"io"
	"math"
	"sync"
	"time"

	"github.com/pion/webrtc/v3"
)

// SilenceDBFS is what AudioLevel reports when no audio (or only digital
// silence) arrived in the window.
const SilenceDBFS = -100.0

// keepAudio is how much received audio history is kept for AudioLevel.
const keepAudio = 30 * time.Second

// audioReceiver reads the remote track: PCMU frames are decoded and kept
// with their arrival time for AudioLevel; RFC 4733 telephone-event packets
// become digits (one per event, on its first end-bit packet).
type audioReceiver struct {
	mu       sync.Mutex
	frames   []recvFrame
	eventPTs map[uint8]bool
	digits   []rune
	lastEnd  uint32 // RTP timestamp of the last ended event
	anyEnd   bool
	audio    int // PCMU packets received
	events   int // telephone-event packets received
	changed  chan struct{}
}

type recvFrame struct {
	at    time.Time
	sumSq float64 // sum of squared samples, normalised to full scale 1.0
	n     int
}

func newAudioReceiver() *audioReceiver {
	return &audioReceiver{eventPTs: map[uint8]bool{}, changed: make(chan struct{})}
}

// setEventPTs learns the telephone-event payload types from both SDPs.
func (r *audioReceiver) setEventPTs(sdps ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range sdps {
		for _, pt := range payloadTypes(s, "telephone-event") {
			r.eventPTs[pt] = true
		}
	}
}

func (r *audioReceiver) read(tr *webrtc.TrackRemote) {
	for {
		pkt, _, err := tr.ReadRTP()
		if err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrClosedPipe) {
				return
			}
			continue // e.g. a payload type pion does not know: skip the packet
		}
		r.mu.Lock()
		switch {
		case r.eventPTs[pkt.PayloadType]:
			r.events++
			if len(pkt.Payload) >= 4 && pkt.Payload[1]&0x80 != 0 && (!r.anyEnd || pkt.Timestamp != r.lastEnd) {
				r.anyEnd, r.lastEnd = true, pkt.Timestamp
				if d := dtmfDigit(pkt.Payload[0]); d != 0 {
					r.digits = append(r.digits, d)
					r.notifyLocked()
				}
			}
		case pkt.PayloadType == 0:
			r.audio++
			f := recvFrame{at: time.Now(), n: len(pkt.Payload)}
			for _, u := range pkt.Payload {
				v := float64(ulawDecode(u)) / 32768
				f.sumSq += v * v
			}
			r.frames = append(r.frames, f)
			if len(r.frames) > 0 && time.Since(r.frames[0].at) > keepAudio {
				r.frames = r.frames[len(r.frames)/2:]
			}
		}
		r.mu.Unlock()
	}
}

func (r *audioReceiver) notifyLocked() {
	close(r.changed)
	r.changed = make(chan struct{})
}

// level returns the RMS level in dBFS of PCMU audio that arrived within
// the last window (SilenceDBFS if none).
func (r *audioReceiver) level(window time.Duration) float64 {
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

func (r *audioReceiver) dtmf() ([]rune, <-chan struct{}) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]rune(nil), r.digits...), r.changed
}

func (r *audioReceiver) counts() (audio, events int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.audio, r.events
}
