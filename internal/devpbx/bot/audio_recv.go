package bot

import (
	"errors"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/webrtc/v3"
)

// receiver reads the caller's audio track: PCMU frames go to onAudio (the
// echo) and are metered; RFC 4733 telephone-events become digits, one per
// event, reported to onDigit on the event's first end packet.
type receiver struct {
	onAudio func(frame []byte)
	onDigit func(d rune)

	mu       sync.Mutex
	eventPTs map[uint8]bool
	lastEnd  uint32 // RTP timestamp of the last event that ended
	anyEnd   bool
	frames   []meteredFrame
	lastAt   time.Time // when the last packet of any kind arrived
}

type meteredFrame struct {
	at    time.Time
	sumSq float64
	n     int
}

func newReceiver(onAudio func([]byte), onDigit func(rune)) *receiver {
	return &receiver{onAudio: onAudio, onDigit: onDigit, eventPTs: map[uint8]bool{}}
}

// learnEventPTs takes the telephone-event payload types from the SDPs.
func (r *receiver) learnEventPTs(sdps ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range sdps {
		for _, pt := range payloadTypes(s, "telephone-event") {
			r.eventPTs[pt] = true
		}
	}
}

func (r *receiver) read(tr *webrtc.TrackRemote) {
	for {
		pkt, _, err := tr.ReadRTP()
		if err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrClosedPipe) {
				return
			}
			continue // e.g. a payload type pion does not know: skip it
		}
		r.handle(pkt)
	}
}

// handle takes one received RTP packet.
func (r *receiver) handle(pkt *rtp.Packet) {
	r.mu.Lock()
	r.lastAt = time.Now()
	isEvent := r.eventPTs[pkt.PayloadType]
	var digit rune
	if isEvent && len(pkt.Payload) >= 4 && pkt.Payload[1]&0x80 != 0 && (!r.anyEnd || pkt.Timestamp != r.lastEnd) {
		r.anyEnd, r.lastEnd = true, pkt.Timestamp
		digit = digitOfEvent(pkt.Payload[0])
	}
	audio := !isEvent && pkt.PayloadType == 0
	if audio {
		f := meteredFrame{at: time.Now(), n: len(pkt.Payload)}
		for _, u := range pkt.Payload {
			v := float64(ulawDecode(u)) / 32768
			f.sumSq += v * v
		}
		r.frames = append(r.frames, f)
		if len(r.frames) > 500 {
			r.frames = r.frames[250:]
		}
	}
	r.mu.Unlock()
	switch {
	case digit != 0 && r.onDigit != nil:
		r.onDigit(digit)
	case audio && r.onAudio != nil:
		r.onAudio(append([]byte(nil), pkt.Payload...))
	}
}

// silentFor is how long no packet has arrived (since since, if none ever did).
func (r *receiver) silentFor(since time.Time) time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.lastAt.After(since) {
		since = r.lastAt
	}
	return time.Since(since)
}

// level is the RMS level, in dBFS, of the audio received in the last
// window; -100 when nothing (or digital silence) arrived.
func (r *receiver) level(window time.Duration) float64 {
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
		return -100
	}
	return max(-100, 10*math.Log10(sum/float64(n)))
}

var rtpmapRe = regexp.MustCompile(`(?m)^a=rtpmap:(\d+) ([^/\s]+)/`)

// payloadTypes returns the payload types sdp maps to codec (case-insensitive).
func payloadTypes(sdp, codec string) []uint8 {
	var pts []uint8
	for _, m := range rtpmapRe.FindAllStringSubmatch(sdp, -1) {
		if strings.EqualFold(m[2], codec) {
			if n, err := strconv.Atoi(m[1]); err == nil && n < 128 {
				pts = append(pts, uint8(n))
			}
		}
	}
	return pts
}
