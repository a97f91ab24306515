//go:build js && wasm

package jsbridge

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"syscall/js"
	"time"

	sdkdiag "github.com/webphone/exotelsdk/sdk/diagnostics"
	"github.com/webphone/exotelsdk/sdk/media"
)

// levelInterval is how often the speaker and mic tests report a level.
const levelInterval = 100 * time.Millisecond

var errNoWebAudio = errors.New("this browser has no Web Audio")

func ftoa(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }

// levelTest is a running speaker or mic test: it reports the level of what
// it measures every levelInterval until finished, and remembers the figures
// for the report.
type levelTest struct {
	name    string // "speaker" or "mic": the key and the description's first word
	started time.Time
	stop    chan struct{}

	mu       sync.Mutex
	finished bool
	release  func() // frees what the test opened (tone, microphone, nodes)
	stats    sdkdiag.LevelStats
}

func newLevelTest(name string) *levelTest {
	return &levelTest{name: name, started: time.Now(), stop: make(chan struct{})}
}

// setRelease registers what finish frees; if the test already finished
// (stopped while the microphone was opening), f runs at once.
func (t *levelTest) setRelease(f func()) {
	if t.keepRelease(f) {
		return
	}
	f()
}

// keepRelease stores f unless the test has finished.
func (t *levelTest) keepRelease(f func()) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.finished {
		return false
	}
	t.release = f
	return true
}

// finish stops the reports and frees the test's resources; it is idempotent.
func (t *levelTest) finish() {
	release, first := t.markFinished()
	if !first {
		return
	}
	close(t.stop)
	if release != nil {
		release()
	}
}

// markFinished ends the test once: first is false when it had ended.
func (t *levelTest) markFinished() (release func(), first bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.finished {
		return nil, false
	}
	t.finished = true
	return t.release, true
}

// record adds a reading unless the test has finished.
func (t *levelTest) record(level float64, ok bool) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.finished {
		return false
	}
	t.stats.Add(level, ok)
	return true
}

// run reports read() as keyValueCb(name, level, "<name> ok"|"<name> error")
// until the test finishes.
func (t *levelTest) run(d *diagnostics, read func() (float64, bool)) {
	tick := time.NewTicker(levelInterval)
	defer tick.Stop()
	for {
		select {
		case <-t.stop:
			return
		case <-tick.C:
		}
		level, ok := read()
		if !t.record(level, ok) {
			return
		}
		desc := t.name + " ok"
		if !ok {
			desc = t.name + " error"
		}
		d.emit(t.name, level, desc)
	}
}

// summary is the test's measurement in words, for the report.
func (t *levelTest) summary() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.stats.Summary(time.Since(t.started))
}

// levelMeter reads an AnalyserNode on Exotel's scale: the mean of the byte
// frequency spectrum, 0 (silence) to 255. Its smoothing is lighter than
// Exotel's (0.5 instead of 0.8 per reading) so that the meter falls back
// within a few readings when the sound stops.
type levelMeter struct {
	analyser js.Value
	bytes    js.Value
	buf      []byte
}

func newLevelMeter(analyser js.Value) *levelMeter {
	analyser.Set("fftSize", 1024)
	analyser.Set("smoothingTimeConstant", 0.5)
	n := analyser.Get("frequencyBinCount").Int()
	return &levelMeter{analyser: analyser, bytes: js.Global().Get("Uint8Array").New(n), buf: make([]byte, n)}
}

func (m *levelMeter) level() float64 {
	m.analyser.Call("getByteFrequencyData", m.bytes)
	js.CopyBytesToGo(m.buf, m.bytes)
	return sdkdiag.MeanLevel(m.buf)
}

func (d *diagnostics) begin(slot **levelTest, t *levelTest) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if *slot != nil {
		return false
	}
	*slot = t
	return true
}

func (d *diagnostics) end(slot **levelTest) *levelTest {
	d.mu.Lock()
	defer d.mu.Unlock()
	t := *slot
	*slot = nil
	return t
}

// startSpeakerDiagnosticsTest(): plays the ringtone (on a player of its
// own, so a real incoming call's ringtone is not disturbed) and reports the
// level actually played, measured after the volume.
func (c *client) startSpeakerTest([]js.Value) any {
	d := c.diag()
	t := newLevelTest("speaker")
	if !d.begin(&d.speaker, t) {
		logger.Warnf("startSpeakerDiagnosticsTest: the speaker test is already running")
		return nil
	}
	player := newTonePlayer()
	volume := c.tones.volume("ringtone")
	player.SetVolume("ringtone", volume)
	player.Start("ringtone")
	t.setRelease(func() { player.Stop("ringtone") })
	d.note("speaker test started: playing the ringtone at volume %s", ftoa(volume))
	var meter *levelMeter
	spawn("speaker test", func() {
		t.run(d, func() (float64, bool) {
			ctx := sharedAudioContext()
			if !ctx.Truthy() || ctx.Get("state").String() != "running" {
				return 0, false // nothing is played: no Web Audio, or audio not allowed yet
			}
			if meter == nil {
				a := player.Analyser("ringtone")
				if !a.Truthy() {
					return 0, false
				}
				meter = newLevelMeter(a)
			}
			return meter.level(), true
		})
	})
	return nil
}

// stopSpeakerDiagnosticsTest(answer?): 'yes' (heard it) or 'no' goes into
// the report; no answer just stops.
func (c *client) stopSpeakerTest(args []js.Value) any {
	d := c.diag()
	t := d.end(&d.speaker)
	if t != nil {
		t.finish()
	}
	c.recordAnswer(d, t, "speaker", "did the user hear the ringtone?", str(arg(args, 0)))
	return nil
}

// startMicDiagnosticsTest(): opens the microphone (the chosen input) and
// reports its level.
func (c *client) startMicTest([]js.Value) any {
	d := c.diag()
	t := newLevelTest("mic")
	if !d.begin(&d.mic, t) {
		logger.Warnf("startMicDiagnosticsTest: the mic test is already running")
		return nil
	}
	d.note("mic test started")
	spawn("mic test", func() {
		stream, err := c.devices.getUserMedia(context.Background(), media.Options{})
		ac := sharedAudioContext()
		if err == nil && !ac.Truthy() {
			stopStream(stream)
			err = errNoWebAudio
		}
		if err != nil {
			d.note("mic test: the microphone cannot be measured: %v", err)
			t.record(0, false)
			d.emit("mic", 0, "mic error")
			return
		}
		track := stream.Call("getAudioTracks").Index(0)
		src := ac.Call("createMediaStreamSource", stream)
		analyser := ac.Call("createAnalyser")
		src.Call("connect", analyser)
		t.setRelease(func() {
			src.Call("disconnect")
			stopStream(stream)
		})
		d.note("mic test: capturing from %q", track.Get("label").String())
		meter := newLevelMeter(analyser)
		t.run(d, func() (float64, bool) {
			if ac.Get("state").String() != "running" || track.Get("readyState").String() != "live" {
				return 0, false
			}
			return meter.level(), true
		})
	})
	return nil
}

// stopMicDiagnosticsTest(answer?): as the speaker test.
func (c *client) stopMicTest(args []js.Value) any {
	d := c.diag()
	t := d.end(&d.mic)
	if t != nil {
		t.finish()
	}
	c.recordAnswer(d, t, "mic", "did the microphone capture the user's voice?", str(arg(args, 0)))
	return nil
}

// recordAnswer puts the user's yes/no and the measurement into the report
// and sends it; without an answer the report is left as it was (guide 5.11).
func (c *client) recordAnswer(d *diagnostics, t *levelTest, name, question, answer string) {
	answer = strings.ToLower(strings.TrimSpace(answer))
	switch answer {
	case "":
		diagLog.Debugf("%s test stopped without an answer", name)
		return
	case "yes", "no":
	default:
		logger.Warnf("%s test: answer %q ignored (use 'yes' or 'no')", name, answer)
		return
	}
	measured := "not running"
	if t != nil {
		measured = t.summary()
	}
	verdict := map[string]string{"yes": "PASS", "no": "FAIL"}[answer]
	d.note("%s test %s: %s %s; measured %s", name, verdict, question, answer, measured)
	spawn("diagnostics report", func() { c.sendReport(d) })
}
