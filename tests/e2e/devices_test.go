package e2e

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/webphone/exotelsdk/tests/farend"
)

// Chromium's fake media devices (--use-fake-device-for-media-stream) are
// three audio inputs ("Fake Default Audio Input" as "default", "Fake Audio
// Input 1", "Fake Audio Input 2") and three outputs, named alike. All inputs
// play the tone file, so the far end cannot tell them apart by sound; the
// tests prove the switch on the sender instead (its track, the track's
// device, the old track stopped) and that sound keeps reaching the far end.

// deviceIDs maps the labels of one kind of device to their ids.
func deviceIDs(t *testing.T, f *callFixture, kind string) map[string]string {
	t.Helper()
	var ids map[string]string
	f.page.Eval(t, fmt.Sprintf(`navigator.mediaDevices.enumerateDevices().then(l => Object.fromEntries(
		l.filter(d => d.kind === %q).map(d => [d.label, d.deviceId])))`, kind), &ids)
	return ids
}

// senderTrack describes the audio track the call sends.
type senderTrack struct {
	ID, Device, Label string
	Enabled           bool
}

func (f *callFixture) senderTrack(t *testing.T) senderTrack {
	t.Helper()
	var s senderTrack
	f.page.Eval(t, `(() => { const tr = harness.sender().track;
		return {ID: tr.id, Device: tr.getSettings().deviceId, Label: tr.label, Enabled: tr.enabled}; })()`, &s)
	return s
}

// outcome is what onSuccess or onError received.
type outcome struct {
	OK  []string `json:"ok"`
	Err []string `json:"err"`
}

func (f *callFixture) change(t *testing.T, method string, args ...any) outcome {
	t.Helper()
	var o outcome
	f.page.Eval(t, fmt.Sprintf(`harness.promised('alice', %q, %s)`, method, js(t, args)), &o)
	return o
}

// answeredCall makes alice call bob, who answers; media flows both ways.
func (f *callFixture) answeredCall(t *testing.T) *farend.Call {
	t.Helper()
	f.page.Eval(t, `harness.clients.alice.MakeCall('bob')`, nil)
	inc, err := f.bob.WaitIncoming(f.ctx)
	require.NoError(t, err)
	require.NoError(t, inc.Answer(f.ctx))
	f.waitCall(t, "connected")
	require.NoError(t, inc.WaitMedia(f.ctx))
	farLevelEventually(t, inc, farLoud, "loud")
	return inc
}

func farLoud(l float64) bool   { return l > -45 }
func farSilent(l float64) bool { return l < -70 }

// TestChangeInputDeviceDuringCall: the microphone changes mid-call by
// replaceTrack: the call stays up, the far end keeps hearing the page, the
// old microphone is released, mute survives the switch, an unknown device is
// refused with the call untouched, and the next call opens the chosen device.
func TestChangeInputDeviceDuringCall(t *testing.T) {
	f := newCallFixture(t, nil)
	f.page.Eval(t, `harness.trackMedia()`, nil)
	inc := f.answeredCall(t)
	ids := deviceIDs(t, f, "audioinput")
	in1, in2 := ids["Fake Audio Input 1"], ids["Fake Audio Input 2"]
	require.NotEmpty(t, in1)
	require.NotEmpty(t, in2)

	before := f.senderTrack(t)
	assert.Equal(t, "default", before.Device)
	f.page.Eval(t, `harness.oldTrack = harness.sender().track`, nil)
	assert.Equal(t, outcome{OK: []string{in1}}, f.change(t, "changeAudioInputDevice", in1))
	after := f.senderTrack(t)
	assert.NotEqual(t, before.ID, after.ID, "the sender has a new track")
	assert.Equal(t, in1, after.Device)
	assert.Equal(t, "Fake Audio Input 1", after.Label)
	var oldState string
	f.page.Eval(t, `harness.oldTrack.readyState`, &oldState)
	assert.Equal(t, "ended", oldState, "the old microphone is released")
	// The old track is stopped: what the far end hears now comes from the new one.
	farLevelEventually(t, inc, farLoud, "loud on the new microphone")

	f.page.Eval(t, `harness.clients.alice.getCall().Mute()`, nil)
	farLevelEventually(t, inc, farSilent, "silent when muted")
	assert.Equal(t, outcome{OK: []string{in2}}, f.change(t, "changeAudioInputDevice", in2))
	muted := f.senderTrack(t)
	assert.Equal(t, in2, muted.Device)
	assert.False(t, muted.Enabled, "still muted on the new microphone")
	time.Sleep(time.Second)
	assert.True(t, farSilent(inc.AudioLevel(300*time.Millisecond)), "the far end still hears silence")
	f.page.Eval(t, `harness.clients.alice.getCall().UnMute()`, nil)
	farLevelEventually(t, inc, farLoud, "loud after UnMute")

	assert.Equal(t, outcome{Err: []string{"deviceIdNotFound"}}, f.change(t, "changeAudioInputDevice", "no-such-device"))
	assert.Equal(t, in2, f.senderTrack(t).Device, "a refused change leaves the call alone")
	assert.Equal(t, outcome{OK: []string{in2}}, f.change(t, "changeAudioInputDevice", in2), "the device in use: nothing to do")
	assert.Equal(t, []string{"connected"}, f.callEvents(t), "the call stayed up")
	assert.False(t, inc.Ended())

	f.page.Eval(t, `harness.clients.alice.getCall().Hangup()`, nil)
	f.waitCall(t, "callEnded")
	next := f.answeredCall(t)
	assert.Equal(t, in2, f.senderTrack(t).Device, "the next call opens the chosen microphone")
	farLevelEventually(t, next, farLoud, "loud in the next call")
	requireNoExceptions(t, f.page)
}

// TestChangeOutputDevice: the call's audio element and the tones' AudioContext
// are routed with setSinkId, an unknown device is refused (and with force,
// refused by the browser), and the next call starts on the chosen output.
func TestChangeOutputDevice(t *testing.T) {
	f := newCallFixture(t, nil)
	f.page.Eval(t, `harness.trackMedia();
		AudioContext.prototype.setSinkId = (function (native) { return function (id) {
			harness.sinks.push({ element: this, id: id }); return native.call(this, id); }; })(AudioContext.prototype.setSinkId)`, nil)
	f.answeredCall(t)
	out1 := deviceIDs(t, f, "audiooutput")["Fake Audio Output 1"]
	require.NotEmpty(t, out1)

	assert.Equal(t, outcome{OK: []string{out1}}, f.change(t, "changeAudioOutputDevice", out1))
	callSink := `harness.sinks.filter(s => s.element instanceof HTMLMediaElement &&
		s.element.srcObject === harness.clients.alice.getCall().getRemoteStream()).map(s => s.element.sinkId)`
	var sinks []string
	f.page.Eval(t, callSink, &sinks)
	assert.Equal(t, []string{out1}, sinks, "the call's audio plays on the chosen output")

	// The tones follow: the speaker test's ringtone plays through the page's AudioContext.
	f.page.Eval(t, `harness.diagnostics('alice'); harness.clients.alice.startSpeakerDiagnosticsTest()`, nil)
	f.page.WaitUntil(t, `harness.keyValues('alice', 'speaker').length >= 3`, 10*time.Second)
	f.page.Eval(t, `harness.clients.alice.stopSpeakerDiagnosticsTest()`, nil)
	var toneSink []string
	f.page.Eval(t, `harness.sinks.filter(s => s.element instanceof AudioContext).map(s => s.element.sinkId)`, &toneSink)
	assert.Contains(t, toneSink, out1, "the tones play on the chosen output")

	assert.Equal(t, outcome{Err: []string{"deviceIdNotFound"}}, f.change(t, "changeAudioOutputDevice", "no-such-output"))
	forced := f.change(t, "changeAudioOutputDevice", "no-such-output", true)
	require.Len(t, forced.Err, 1)
	assert.Contains(t, forced.Err[0], "NotFoundError", "force skips the check; the browser refuses")

	f.page.Eval(t, `harness.clients.alice.getCall().Hangup()`, nil)
	f.waitCall(t, "callEnded")
	f.answeredCall(t)
	f.page.WaitUntil(t, `harness.clients.alice.getCall().getRemoteStream()`, 5*time.Second)
	f.page.Eval(t, callSink, &sinks)
	assert.Equal(t, []string{out1}, sinks, "the next call starts on the chosen output")
	requireNoExceptions(t, f.page)
}

// TestAudioDeviceChangeCallbacks: Chromium's fake devices never change, so
// the page's enumerateDevices is made to return an edited list before a
// 'devicechange' event, as when the system default moves or a device is
// unplugged. The callbacks report it, a call following the default gets a
// fresh microphone, and an unplugged chosen output falls back to the default.
func TestAudioDeviceChangeCallbacks(t *testing.T) {
	f := newCallFixture(t, nil)
	f.page.Eval(t, `harness.trackMedia(); harness.watchDevices('alice')`, nil)
	inc := f.answeredCall(t)
	ins := deviceIDs(t, f, "audioinput")
	out1 := deviceIDs(t, f, "audiooutput")["Fake Audio Output 1"]
	before := f.senderTrack(t)

	// The system default input becomes "Fake Audio Input 2".
	const defaultMoves = `list => { const in2 = list.find(d => d.label === 'Fake Audio Input 2');
		const def = list.find(d => d.kind === 'audioinput' && d.deviceId === 'default');
		def.groupId = in2.groupId; def.label = 'Default - Fake Audio Input 2'; return list; }`
	f.page.Eval(t, `harness.fakeDevices(`+defaultMoves+`)`, nil)
	f.page.WaitUntil(t, `harness.argsOf('devin:alice').length === 1`, 10*time.Second)
	var in [][]string
	f.page.Eval(t, `harness.argsOf('devin:alice')`, &in)
	assert.Equal(t, [][]string{{ins["Fake Audio Input 2"], "Fake Audio Input 2"}}, in)
	var listLen []int
	f.page.Eval(t, `harness.argsOf('devlist:alice').map(a => a[0].length)`, &listLen)
	assert.Equal(t, []int{7}, listLen, "devicesChangedCb gets the new list")
	f.page.WaitUntil(t, fmt.Sprintf(`harness.sender().track.id !== %q`, before.ID), 5*time.Second)
	farLevelEventually(t, inc, farLoud, "loud on the new default microphone")

	// The same list again: nothing to report.
	f.page.Eval(t, `harness.fakeDevices(`+defaultMoves+`)`, nil)
	time.Sleep(500 * time.Millisecond)
	var counts []int
	f.page.Eval(t, `['devin:alice', 'devout:alice', 'devlist:alice'].map(k => harness.argsOf(k).length)`, &counts)
	assert.Equal(t, []int{1, 0, 1}, counts)

	// The chosen output is unplugged: back to the default.
	assert.Equal(t, outcome{OK: []string{out1}}, f.change(t, "changeAudioOutputDevice", out1))
	f.page.Eval(t, `harness.fakeDevices(list => (`+defaultMoves+`)(list).filter(d => d.deviceId !== `+js(t, out1)+`))`, nil)
	f.page.WaitUntil(t, `harness.argsOf('devout:alice').length === 1`, 10*time.Second)
	var out [][]string
	f.page.Eval(t, `harness.argsOf('devout:alice')`, &out)
	assert.Equal(t, [][]string{{"default", "Fake Default Audio Output"}}, out)
	var sink string
	f.page.Eval(t, `harness.sinks[harness.sinks.length - 1].element.sinkId`, &sink)
	assert.Equal(t, "", sink, "the call plays on the default output again")
	f.page.Eval(t, `['devin:alice', 'devout:alice', 'devlist:alice'].map(k => harness.argsOf(k).length)`, &counts)
	assert.Equal(t, []int{1, 1, 2}, counts)
	assert.Equal(t, []string{"connected"}, f.callEvents(t))
	requireNoExceptions(t, f.page)
}
