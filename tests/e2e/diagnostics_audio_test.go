package e2e

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/webphone/exotelsdk/tests/browser"
)

// TestDiagnosticsInitReportsBrowserAndDevices: initDiagnostics reports the
// browser from the user agent and the labels of Chromium's fake default
// devices, then a first report.
func TestDiagnosticsInitReportsBrowserAndDevices(t *testing.T) {
	page := browser.Launch(t, browser.Options{}).Open(t, browser.Serve(t)+"/tests/pages/phone.html")
	diagClient(t, page, "d")
	page.WaitUntil(t, `harness.keyValues('d', 'speakerInfo').length > 0`, 10*time.Second)

	var ua string
	page.Eval(t, `navigator.userAgent`, &ua)
	version := regexp.MustCompile(`Chrome/([0-9.]+)`).FindStringSubmatch(ua)
	require.NotNil(t, version, ua)
	bv := diagKeyValues(t, page, "d", "browserVersion")
	require.Len(t, bv, 1)
	assert.Equal(t, diagKV{Status: "ready", Description: "Chrome/" + version[1], T: bv[0].T}, bv[0])
	mic := diagKeyValues(t, page, "d", "micInfo")
	require.Len(t, mic, 1)
	assert.Equal(t, "Fake Default Audio Input", mic[0].Status)
	assert.Equal(t, "micInfo", mic[0].Description)
	speaker := diagKeyValues(t, page, "d", "speakerInfo")
	require.Len(t, speaker, 1)
	assert.Equal(t, "Fake Default Audio Output", speaker[0].Status)

	page.WaitUntil(t, `harness.lastReport('d') !== ''`, 5*time.Second)
	var report string
	page.Eval(t, `harness.lastReport('d')`, &report)
	assert.Contains(t, report, "Browser: Chrome/"+version[1])
	assert.Contains(t, report, `"Fake Audio Input 1"`, "the devices are listed")
	assert.Contains(t, report, "SDK log (last")
	requireNoExceptions(t, page)
}

// TestDiagnosticsMicLevels: the mic test measures the real microphone. A
// 1 kHz tone file as Chromium's fake microphone gives levels above zero, a
// silent file gives zero; "yes" goes into the report with the measurement.
func TestDiagnosticsMicLevels(t *testing.T) {
	base := browser.Serve(t)
	for _, tc := range []struct {
		name      string
		amplitude float64
	}{{"tone", 0.5}, {"silence", 0}} {
		t.Run(tc.name, func(t *testing.T) {
			tone := browser.ToneWAV(t, 1000, tc.amplitude, 5)
			page := browser.Launch(t, browser.Options{FakeAudioFile: tone}).Open(t, base+"/tests/pages/phone.html")
			diagClient(t, page, "d")
			page.Eval(t, `harness.clients.d.startMicDiagnosticsTest()`, nil)
			page.WaitUntil(t, `harness.keyValues('d', 'mic').length >= 20`, 15*time.Second)
			page.Eval(t, `harness.clients.d.stopMicDiagnosticsTest('yes')`, nil)
			lv, allOK := diagLevels(t, page, "d", "mic")
			assert.True(t, allOK, "every reading says 'mic ok'")
			t.Logf("mic levels (%d): %v", len(lv), lv)
			settled := lv[5:] // the analyser smooths from zero over the first readings
			if tc.amplitude > 0 {
				for i, l := range settled {
					require.Greater(t, l, 0.5, "reading %d of a tone", i+5)
				}
			} else {
				assert.Zero(t, maxOf(lv), "silence reads 0")
			}

			page.WaitUntil(t, `harness.lastReport('d').includes('mic test PASS')`, 5*time.Second)
			var report string
			page.Eval(t, `harness.lastReport('d')`, &report)
			assert.Regexp(t, `mic test PASS: did the microphone capture the user's voice\? yes; measured peak level [0-9.]+ \(0\.\.255\)`, report)

			n := len(lv)
			time.Sleep(500 * time.Millisecond)
			after, _ := diagLevels(t, page, "d", "mic")
			assert.LessOrEqual(t, len(after), n+1, "the readings stop with the test")
			requireNoExceptions(t, page)
		})
	}
}

// TestDiagnosticsSpeakerLevels: the speaker test plays the ringtone and
// reports the level actually played: above zero while the tone sounds,
// near zero in its pauses, zero at ringtone volume 0. No answer leaves the
// report alone; "no" goes in.
func TestDiagnosticsSpeakerLevels(t *testing.T) {
	page := browser.Launch(t, browser.Options{}).Open(t, browser.Serve(t)+"/tests/pages/phone.html")
	diagClient(t, page, "d")
	page.WaitUntil(t, `harness.lastReport('d') !== ''`, 10*time.Second)

	page.Eval(t, `harness.clients.d.startSpeakerDiagnosticsTest()`, nil)
	// The ringtone's cadence: 0.4 s on, 0.2 off, 0.4 on, 2 s off.
	page.WaitUntil(t, `harness.keyValues('d', 'speaker').length >= 30`, 15*time.Second)
	page.Eval(t, `harness.clients.d.stopSpeakerDiagnosticsTest()`, nil)
	lv, allOK := diagLevels(t, page, "d", "speaker")
	t.Logf("speaker levels (%d): %v", len(lv), lv)
	assert.True(t, allOK, "every reading says 'speaker ok'")
	assert.Greater(t, maxOf(lv), 1.0, "the ringtone is heard")
	quiet := 0
	for _, l := range lv {
		if l < 0.5 {
			quiet++
		}
	}
	assert.Greater(t, quiet, 5, "the ringtone's pauses are measured too")
	time.Sleep(300 * time.Millisecond)
	var report string
	page.Eval(t, `harness.lastReport('d')`, &report)
	assert.NotContains(t, report, "speaker test PASS")
	assert.NotContains(t, report, "speaker test FAIL", "no answer: the report is unchanged")

	// At ringtone volume 0 nothing is played, and the test says so.
	page.Eval(t, `harness.clients.d.setSoundVolume('ringtone', 0); harness.events.length = 0; harness.clients.d.startSpeakerDiagnosticsTest()`, nil)
	page.WaitUntil(t, `harness.keyValues('d', 'speaker').length >= 10`, 10*time.Second)
	page.Eval(t, `harness.clients.d.stopSpeakerDiagnosticsTest('no')`, nil)
	lv, _ = diagLevels(t, page, "d", "speaker")
	assert.Zero(t, maxOf(lv), "volume 0 plays nothing")
	page.WaitUntil(t, `harness.lastReport('d').includes('speaker test FAIL')`, 5*time.Second)
	page.Eval(t, `harness.lastReport('d')`, &report)
	assert.True(t, strings.Contains(report, "speaker test FAIL: did the user hear the ringtone? no; measured peak level 0.0"), report[:min(len(report), 3000)])
	requireNoExceptions(t, page)
}

// TestDiagnosticsCloseReleasesEverything: closeDiagnostics during the three
// tests stops the microphone it opened, the ringtone's readings, the
// network test's peer connection, and every callback.
func TestDiagnosticsCloseReleasesEverything(t *testing.T) {
	tone := browser.ToneWAV(t, 1000, 0.5, 10)
	page := browser.Launch(t, browser.Options{FakeAudioFile: tone}).Open(t, browser.Serve(t)+"/tests/pages/phone.html")
	page.Eval(t, `harness.trackMedia()`, nil)
	diagClient(t, page, "d")
	page.WaitUntil(t, `harness.lastReport('d') !== ''`, 10*time.Second)
	// A STUN server that never answers keeps the gathering going.
	page.Eval(t, `harness.clients.d.setIceServers([{urls: 'stun:127.0.0.1:9'}]);
		harness.clients.d.startMicDiagnosticsTest(); harness.clients.d.startSpeakerDiagnosticsTest();
		harness.clients.d.startNetworkDiagnostics()`, nil)
	page.WaitUntil(t, `harness.keyValues('d', 'mic').length >= 3 && harness.keyValues('d', 'speaker').length >= 3 && harness.pcs.length > 0`, 10*time.Second)
	var live int
	page.Eval(t, `harness.streams.flatMap(s => s.getTracks()).filter(t => t.readyState === 'live').length`, &live)
	require.Positive(t, live, "the mic test holds the microphone")

	page.Eval(t, `harness.clients.d.closeDiagnostics()`, nil)
	page.WaitUntil(t, `harness.streams.flatMap(s => s.getTracks()).every(t => t.readyState === 'ended')`, 5*time.Second)
	page.WaitUntil(t, `harness.pcs.every(pc => pc.signalingState === 'closed')`, 5*time.Second)
	var n int
	page.Eval(t, `harness.events.length`, &n)
	time.Sleep(time.Second)
	var after int
	page.Eval(t, `harness.events.length`, &after)
	assert.LessOrEqual(t, after, n+2, "no more reports after closeDiagnostics (at most the readings already queued)")
	var network []string
	page.Eval(t, `harness.keyValues('d', 'srflx').map(k => k.status)`, &network)
	assert.Equal(t, []string{"waiting"}, network, "the closed network test reports nothing more")
	requireNoExceptions(t, page)
}

// TestDiagnosticsSpeakerErrorWhenAudioIsBlocked: when Web Audio stays
// suspended, as a browser's autoplay policy keeps it before any user gesture,
// nothing is played and the speaker test says "speaker error" rather than a
// level. Headless Chromium lets audio start anyway, so the page makes every
// AudioContext start suspended and ignore resume(), as a blocked one does.
func TestDiagnosticsSpeakerErrorWhenAudioIsBlocked(t *testing.T) {
	page := browser.Launch(t, browser.Options{}).Open(t, browser.Serve(t)+"/tests/pages/phone.html")
	page.Eval(t, `window.AudioContext = class extends AudioContext {
		constructor(o) { super(o); super.suspend(); }
		resume() { return Promise.resolve(); }
	}`, nil)
	diagClient(t, page, "d")
	page.Eval(t, `harness.clients.d.startSpeakerDiagnosticsTest()`, nil)
	page.WaitUntil(t, `harness.keyValues('d', 'speaker').length >= 5`, 10*time.Second)
	page.Eval(t, `harness.clients.d.stopSpeakerDiagnosticsTest()`, nil)
	for _, kv := range diagKeyValues(t, page, "d", "speaker") {
		assert.Equal(t, diagKV{Status: 0.0, Description: "speaker error", T: kv.T}, kv)
	}
	requireNoExceptions(t, page)
}
