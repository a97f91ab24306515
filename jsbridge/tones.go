//go:build js && wasm

package jsbridge

import (
	"errors"
	"math"
	"sync"
	"syscall/js"
	"time"
)

// audioContext is the page's one AudioContext for tones and level meters,
// made on first use (browsers limit how many a page may open).
var audioContext struct {
	sync.Mutex
	v js.Value
}

func sharedAudioContext() js.Value {
	audioContext.Lock()
	defer audioContext.Unlock()
	if !audioContext.v.Truthy() {
		ctor := js.Global().Get("AudioContext")
		if !ctor.Truthy() {
			ctor = js.Global().Get("webkitAudioContext")
		}
		if !ctor.Truthy() {
			return js.Null()
		}
		audioContext.v = ctor.New()
		if id := toneOutput(); id != "" && audioContext.v.Get("setSinkId").Truthy() {
			audioContext.v.Call("setSinkId", id).Call("catch", ignoreRejection)
		}
	}
	if audioContext.v.Get("state").String() == "suspended" {
		audioContext.v.Call("resume").Call("catch", ignoreRejection)
	}
	return audioContext.v
}

// currentAudioContext is the page's AudioContext if one was made, without making it.
func currentAudioContext() js.Value {
	audioContext.Lock()
	defer audioContext.Unlock()
	return audioContext.v
}

// toneSink is the output device the tones play on ("" is the default),
// applied to the page's AudioContext when it is made.
var toneSink struct {
	sync.Mutex
	id string
}

func toneOutput() string {
	toneSink.Lock()
	defer toneSink.Unlock()
	return toneSink.id
}

// setToneOutput routes the tones to an output device through
// AudioContext.setSinkId (Chromium 110+); it is remembered for a context made
// later. It must run on a goroutine.
func setToneOutput(id string) error {
	if id == "default" {
		id = ""
	}
	func() {
		toneSink.Lock()
		defer toneSink.Unlock()
		toneSink.id = id
	}()
	ctx := currentAudioContext()
	if !ctx.Truthy() {
		return nil
	}
	if !ctx.Get("setSinkId").Truthy() {
		return errors.New("this browser cannot choose the output of Web Audio")
	}
	_, err := await(ctx.Call("setSinkId", id))
	return err
}

// toneSpec is a call-progress tone: frequencies played together, and a cadence
// of on/off durations repeated while it plays.
type toneSpec struct {
	freqs   []float64
	cadence []time.Duration // on, off, on, off…
}

var toneSpecs = map[string]toneSpec{
	// A two-burst ring like the UK's, distinct from the ringback.
	"ringtone": {[]float64{400, 450}, []time.Duration{400 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond, 2 * time.Second}},
	// North American ringback: 440+480 Hz, 2 s on, 4 s off.
	"ringbacktone": {[]float64{440, 480}, []time.Duration{2 * time.Second, 4 * time.Second}},
	"beeptone":     {[]float64{1000}, []time.Duration{150 * time.Millisecond, 0}},
	// Call waiting (ITU-T E.180 style): two short 440 Hz beeps every 5 s,
	// quiet enough to talk over, instead of the ringtone.
	"callwaitingtone": {[]float64{440}, []time.Duration{200 * time.Millisecond, 150 * time.Millisecond, 200 * time.Millisecond, 5 * time.Second}},
}

// dtmfFreqs are the dual tones of each key (ITU-T Q.23), for local feedback.
var dtmfFreqs = map[rune][2]float64{
	'1': {697, 1209}, '2': {697, 1336}, '3': {697, 1477}, 'A': {697, 1633},
	'4': {770, 1209}, '5': {770, 1336}, '6': {770, 1477}, 'B': {770, 1633},
	'7': {852, 1209}, '8': {852, 1336}, '9': {852, 1477}, 'C': {852, 1633},
	'*': {941, 1209}, '0': {941, 1336}, '#': {941, 1477}, 'D': {941, 1633},
}

// tonePlayer synthesizes the SDK's tones with Web Audio (no sound files) and
// keeps their volumes. It implements phone.Tones.
type tonePlayer struct {
	mu      sync.Mutex
	volumes map[string]float64
	playing map[string]*toneVoice
	// starting are the tones Start asked for that start on the next task.
	starting map[string]bool
}

// toneVoice is one tone being played: oscillators → mix → gate (the
// cadence switches it on and off) → gain (the volume) → speakers and a level
// meter.
type toneVoice struct {
	gate     js.Value
	gain     js.Value
	analyser js.Value
	oscs     []js.Value
	stop     chan struct{}
	once     sync.Once
}

func newTonePlayer() *tonePlayer {
	return &tonePlayer{
		volumes:  map[string]float64{"ringtone": 1, "ringbacktone": 1, "dtmftone": 1, "beeptone": 1, "callwaitingtone": 1},
		playing:  map[string]*toneVoice{},
		starting: map[string]bool{},
	}
}

// volume is a tone's volume, 0..1.
func (t *tonePlayer) volume(name string) float64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.volumes[name]
}

// SetVolume sets a tone's volume (0..1); it applies at once to a playing tone.
func (t *tonePlayer) SetVolume(name string, v float64) bool {
	if _, ok := t.volumes[name]; !ok || math.IsNaN(v) {
		return false
	}
	v = math.Max(0, math.Min(1, v))
	voice := func() *toneVoice {
		t.mu.Lock()
		defer t.mu.Unlock()
		t.volumes[name] = v
		return t.playing[name]
	}()
	if voice != nil {
		voice.gain.Get("gain").Set("value", v)
	}
	return true
}

// Start plays a tone until Stop; starting a playing tone does nothing. The
// tone starts on a later task: building its Web Audio graph takes about half
// a millisecond (the page's first tone, much more: the AudioContext), and the
// event that starts it (an incoming call's ringtone) reaches the app first.
func (t *tonePlayer) Start(name string) {
	spec, ok := toneSpecs[name]
	if !ok {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.playing[name] != nil || t.starting[name] {
		return
	}
	t.starting[name] = true
	onLaterTask("tone "+name, func() { t.startNow(name, spec) })
}

// startNow starts a tone that Start asked for, unless it was stopped since.
func (t *tonePlayer) startNow(name string, spec toneSpec) {
	voice := func() *toneVoice {
		t.mu.Lock()
		defer t.mu.Unlock() // newVoice calls Web Audio, which may throw
		if !t.starting[name] {
			return nil
		}
		delete(t.starting, name)
		v := t.newVoice(spec.freqs, t.volumes[name])
		if v != nil {
			t.playing[name] = v
		}
		return v
	}()
	if voice == nil {
		return
	}
	spawn("tone "+name, func() { voice.cadence(spec.cadence) })
}

// Stop silences a tone.
func (t *tonePlayer) Stop(name string) {
	voice := func() *toneVoice {
		t.mu.Lock()
		defer t.mu.Unlock()
		v := t.playing[name]
		delete(t.playing, name)
		delete(t.starting, name)
		return v
	}()
	if voice != nil {
		voice.close()
	}
}

// Analyser is the level meter of a playing tone, or null.
func (t *tonePlayer) Analyser(name string) js.Value {
	t.mu.Lock()
	defer t.mu.Unlock()
	if v := t.playing[name]; v != nil {
		return v.analyser
	}
	return js.Null()
}

// DTMF plays a key's dual tone for 100 ms as local feedback.
func (t *tonePlayer) DTMF(digit rune) {
	f, ok := dtmfFreqs[digit]
	if !ok {
		return
	}
	voice := func() *toneVoice {
		t.mu.Lock()
		defer t.mu.Unlock()
		return t.newVoice(f[:], t.volumes["dtmftone"])
	}()
	if voice != nil {
		spawn("dtmf tone", func() {
			time.Sleep(100 * time.Millisecond)
			voice.close()
		})
	}
}

func (t *tonePlayer) newVoice(freqs []float64, volume float64) *toneVoice {
	ctx := sharedAudioContext()
	if !ctx.Truthy() {
		return nil
	}
	v := &toneVoice{stop: make(chan struct{}), gate: ctx.Call("createGain"), gain: ctx.Call("createGain"), analyser: ctx.Call("createAnalyser")}
	v.gain.Get("gain").Set("value", volume)
	mix := ctx.Call("createGain")
	mix.Get("gain").Set("value", 0.5/float64(len(freqs)))
	for _, f := range freqs {
		osc := ctx.Call("createOscillator")
		osc.Get("frequency").Set("value", f)
		osc.Call("connect", mix)
		osc.Call("start")
		v.oscs = append(v.oscs, osc)
	}
	mix.Call("connect", v.gate)
	v.gate.Call("connect", v.gain)
	v.gain.Call("connect", v.analyser)
	v.gain.Call("connect", ctx.Get("destination"))
	return v
}

// cadence switches the tone on and off (steps alternate on, off, …) until it
// is closed; a final off step of zero means play once.
func (v *toneVoice) cadence(steps []time.Duration) {
	for i := 0; ; i = (i + 1) % len(steps) {
		if i%2 == 1 && steps[i] == 0 {
			v.close()
			return
		}
		v.gate.Get("gain").Set("value", float64(1-i%2))
		select {
		case <-v.stop:
			return
		case <-time.After(steps[i]):
		}
	}
}

func (v *toneVoice) close() {
	v.once.Do(func() {
		close(v.stop)
		for _, o := range v.oscs {
			o.Call("stop")
			o.Call("disconnect")
		}
		v.gain.Call("disconnect")
	})
}
