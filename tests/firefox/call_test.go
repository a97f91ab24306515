package firefox

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/webphone/exotelsdk/tests/farend"
)

// In Firefox ESR: a Go far end calls the page through Kamailio; the page
// answers; Firefox's fake microphone reaches the far end (decoded PCMU,
// measured) and the far end's RTP reaches the page (statistics); hold
// re-INVITEs sendonly and sends nothing, resume brings the audio back; DTMF arrives
// as SIP INFO; the page's hangup ends the far end's call. Diagnostics
// report the browser as Firefox.
func TestFirefoxCallWithAudioHoldAndDTMF(t *testing.T) {
	f := newFixture(t)
	page := f.phone(t, "")
	f.register(t, page, "alice")
	bob := farend.New(t, farend.Config{User: "bob", Domain: f.srv.Domain, Server: f.srv.UDPAddr, DisplayName: "Bob"})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	call, err := bob.Dial(ctx, "alice", farend.CallOptions{})
	require.NoError(t, err)
	waitEvent(t, page, "call:alice", "incoming", 30*time.Second)
	var answered bool
	page.Eval(t, `harness.clients.alice.getCall().Answer()`, &answered)
	require.True(t, answered)
	waitEvent(t, page, "call:alice", "connected", 30*time.Second)
	require.NoError(t, call.WaitMedia(ctx))

	farLevel := func(ok func(float64) bool, what string) {
		t.Helper()
		var lvl float64
		require.Eventually(t, func() bool { lvl = call.AudioLevel(300 * time.Millisecond); return ok(lvl) },
			20*time.Second, 100*time.Millisecond, "far end audio never %s (last %.1f dBFS)", what, lvl)
	}
	farLevel(func(l float64) bool { return l > -50 }, "heard Firefox's microphone")
	require.NoError(t, call.PlayTone(440))
	// The far end's RTP reaches Firefox and is counted as audio.
	var received float64
	require.Eventually(t, func() bool {
		var st map[string]any
		page.Eval(t, `harness.clients.alice.getCall().getStatistics()`, &st)
		received, _ = st["bytesReceived"].(float64)
		return received > 8000 // a second of PCMU
	}, 20*time.Second, 200*time.Millisecond, "the page receives the far end's audio (last %v bytes)", received)
	// (A Web Audio analyser cannot measure it here: headless Firefox with no
	// sound device never starts an AudioContext; ac.resume() never settles.)

	var ok bool
	page.Eval(t, `harness.clients.alice.getCall().Hold()`, &ok)
	require.True(t, ok, "Hold succeeds")
	reinvite, err := call.WaitRequest(ctx, "INVITE")
	require.NoError(t, err)
	assert.Contains(t, string(reinvite.Body()), "a=sendonly", "Hold re-INVITEs sendonly")
	// Hold is private: the microphone leaves the sender, the far end hears nothing.
	farLevel(func(l float64) bool { return l < -60 }, "went silent while held")
	page.Eval(t, `harness.clients.alice.getCall().UnHold()`, &ok)
	require.True(t, ok, "UnHold succeeds")
	farLevel(func(l float64) bool { return l > -50 }, "came back after resume")

	for _, d := range []string{"1", "#", "9"} {
		page.Eval(t, fmt.Sprintf(`harness.clients.alice.getCall().sendDTMF(%q)`, d), &ok)
		require.True(t, ok)
	}
	require.Eventually(t, func() bool { return len(infoSignals(call)) == 3 }, 10*time.Second, 50*time.Millisecond)
	assert.Equal(t, []string{"1", "#", "9"}, infoSignals(call))

	var stats map[string]any
	page.Eval(t, `harness.clients.alice.getCall().getStatistics()`, &stats)
	assert.Equal(t, "PCMU", stats["codec"])
	assert.Greater(t, stats["packetsReceived"], 10.0)

	page.Eval(t, `harness.clients.alice.getCall().Hangup()`, nil)
	waitEvent(t, page, "call:alice", "callEnded", 20*time.Second)
	_, err = call.WaitEnded(ctx)
	require.NoError(t, err)

	page.Eval(t, `harness.diagnostics('alice')`, nil)
	page.WaitUntil(t, `harness.keyValues('alice', 'browserVersion').length > 0`, 20*time.Second)
	var version []struct{ Status, Description any }
	page.Eval(t, `harness.keyValues('alice', 'browserVersion')`, &version)
	assert.Contains(t, fmt.Sprint(version[0].Status, version[0].Description), "Firefox/")
	require.Empty(t, page.Exceptions())
}

// infoSignals lists the DTMF digits the far end got as SIP INFO.
func infoSignals(call *farend.Call) []string {
	var out []string
	for _, r := range call.ReceivedRequests() {
		if r.Method != "INFO" {
			continue
		}
		for _, line := range strings.Split(string(r.Body()), "\n") {
			if v, ok := strings.CutPrefix(strings.TrimSpace(line), "Signal="); ok {
				out = append(out, v)
			}
		}
	}
	return out
}
