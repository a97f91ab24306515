package bot

import (
	"sync"

	"github.com/webphone/exotelsdk/internal/pcmu"
)

const (
	toneAmplitude = 0.3 // of full scale
	dtmfAmplitude = 0.25
	// The tone mode plays a chime: two notes and a pause, per cycle.
	noteFrames    = 20 // 400 ms per note
	chimeFrames   = 3 * noteFrames
	digitFrames   = 8  // 160 ms of a read-back digit's dual tone
	digitGap      = 4  // 80 ms of silence after it
	echoDelay     = 25 // frames (500 ms) an echo is held back
	maxEchoFrames = 150
)

// chimeNotes are the chime's two notes, in Hz (C5 and E5).
var chimeNotes = [2]float64{523.25, 659.25}

// player is what the bot sends in a call, the pcmu.Source of its audio:
// the chime, or what the caller said half a second ago (echo); digits
// queued by readBack interrupt either with their DTMF dual tone.
type player struct {
	echo bool

	mu       sync.Mutex
	frame    int // frames played, for the chime's rhythm
	osc      pcmu.Oscillator
	readback []rune   // digits to play back; readback[0] is playing
	played   int      // frames of readback[0] played so far
	echoBuf  [][]byte // received PCMU frames waiting to be echoed
	primed   bool     // echoBuf held echoDelay frames: playing it back
}

// readBack queues a digit to be played back as its DTMF tone.
func (p *player) readBack(d rune) {
	p.mu.Lock()
	p.readback = append(p.readback, d)
	p.mu.Unlock()
}

// pushEcho hands the player a received PCMU frame to play back later.
func (p *player) pushEcho(frame []byte) {
	p.mu.Lock()
	if p.echo && len(p.echoBuf) < maxEchoFrames {
		p.echoBuf = append(p.echoBuf, frame)
	}
	p.mu.Unlock()
}

// Frame makes the next 20 ms of PCMU.
func (p *player) Frame() []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.readback) > 0 {
		d := p.readback[0]
		p.played++
		if p.played > digitFrames+digitGap {
			p.readback, p.played = p.readback[1:], 0
		} else if p.played <= digitFrames {
			lo, hi := dtmfFrequencies(d)
			return p.osc.Frame(dtmfAmplitude, lo, hi)
		}
		return pcmu.Silence()
	}
	if p.echo {
		// Play back once half a second has queued up; when the caller's
		// audio stops, wait for that much again.
		p.primed = p.primed && len(p.echoBuf) > 0 || len(p.echoBuf) >= echoDelay
		if !p.primed {
			return pcmu.Silence()
		}
		f := p.echoBuf[0]
		p.echoBuf = p.echoBuf[1:]
		return f
	}
	p.frame++
	switch n := (p.frame - 1) % chimeFrames; {
	case n < noteFrames:
		return p.osc.Frame(toneAmplitude, chimeNotes[0], 0)
	case n < 2*noteFrames:
		return p.osc.Frame(toneAmplitude, chimeNotes[1], 0)
	}
	return pcmu.Silence()
}
