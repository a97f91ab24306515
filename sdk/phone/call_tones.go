package phone

import "sync"

// Tone names the phone asks for.
const (
	toneRing        = "ringtone"        // an incoming call rings
	toneRingback    = "ringbacktone"    // our call rings at the far end, no early media
	toneCallWaiting = "callwaitingtone" // an incoming call rings while we are on another call
)

// callTones plays the call-progress tones on behalf of each call: a tone
// plays while at least one call wants it, so ending one call never silences
// another call's ringback or ringtone.
type callTones struct {
	tones   Tones // may be nil
	mu      sync.Mutex
	want    map[*Call]string
	playing map[string]bool
}

func newCallTones(t Tones) *callTones {
	return &callTones{tones: t, want: map[*Call]string{}, playing: map[string]bool{}}
}

// play makes c want tone name (instead of any other).
func (t *callTones) play(c *Call, name string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.want[c] = name
	t.applyLocked()
}

// release makes c want no tone.
func (t *callTones) release(c *Call) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.want, c)
	t.applyLocked()
}

// wanted is the tone c wants, or "".
func (t *callTones) wanted(c *Call) string { t.mu.Lock(); defer t.mu.Unlock(); return t.want[c] }

func (t *callTones) applyLocked() {
	needed := map[string]bool{}
	for _, name := range t.want {
		needed[name] = true
	}
	for name := range t.playing {
		if !needed[name] {
			delete(t.playing, name)
			if t.tones != nil {
				t.tones.Stop(name)
			}
		}
	}
	for name := range needed {
		if !t.playing[name] {
			t.playing[name] = true
			if t.tones != nil {
				t.tones.Start(name)
			}
		}
	}
}
