package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/webphone/exotelsdk/tests/farend"
)

// The conference's tones: each party feeds its own, so that a far end's
// received audio (PCMU, measured tone by tone with a Goertzel filter) says
// whom it hears. Alice's fake microphone plays 1 kHz (newManyCallsFixture).
// They are not harmonically related (440/660/880 would be: two far ends'
// tones summed near full scale clip, and 2·660−440 = 2·440 = 880 would then
// sound at dave's own frequency): no product of two or three of them up to
// the third order falls within 30 Hz of another.
const (
	aliceHz = 1000
	bobHz   = 470
	carolHz = 690
	daveHz  = 830
)

// Heard and not heard, in dBFS of one tone over the last second: a far
// end's tone relayed through the page arrives at about -9 dBFS, alice's
// microphone (after Chromium's audio processing) at about -29; a tone not
// mixed in measured -56 to -83 (with 500 ms windows: the splatter of frames
// lost or late on a loaded machine, and µ-law noise, at that frequency).
const (
	heardDBFS    = -40.0
	notHeardDBFS = -52.0
	toneWindow   = time.Second
)

// confParty is one far end of the conference test and its call.
type confParty struct {
	name string
	hz   float64
	call *farend.Call
}

// dialAndAnswer makes p's far end call alice, alice answers it (holding the
// call she was on), and the far end starts its tone.
func dialAndAnswer(t *testing.T, f *manyCallsFixture, peer *farend.Peer, name string, hz float64, nth int) *confParty {
	t.Helper()
	call, err := peer.Dial(f.ctx, "alice", farend.CallOptions{})
	require.NoError(t, err)
	f.waitCount(t, "incoming", nth)
	var ok bool
	f.byID(t, call.CallID(), `c.Answer()`, &ok)
	require.True(t, ok)
	require.NoError(t, call.WaitStatus(f.ctx, 200))
	require.NoError(t, call.WaitMedia(f.ctx))
	f.waitCount(t, "connected", nth)
	require.NoError(t, call.PlayTone(hz))
	return &confParty{name: name, hz: hz, call: call}
}

// hears waits until what p's far end receives has each tone of heard above
// heardDBFS and each of silent below notHeardDBFS, and returns the levels.
func (p *confParty) hears(t *testing.T, what string, heard, silent []float64) map[float64]float64 {
	t.Helper()
	return p.hearsSince(t, time.Time{}, what, heard, silent)
}

// hearsSince is hears measured only on audio that arrived after since.
func (p *confParty) hearsSince(t *testing.T, since time.Time, what string, heard, silent []float64) map[float64]float64 {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	var levels map[float64]float64
	for {
		if time.Since(since) < toneWindow {
			time.Sleep(100 * time.Millisecond) // the window still holds older audio
			continue
		}
		levels = map[float64]float64{}
		ok := true
		for _, hz := range heard {
			levels[hz] = p.call.ToneLevel(toneWindow, hz)
			ok = ok && levels[hz] > heardDBFS
		}
		for _, hz := range silent {
			levels[hz] = p.call.ToneLevel(toneWindow, hz)
			ok = ok && levels[hz] < notHeardDBFS
		}
		if ok {
			t.Logf("%s %s: %s", p.name, what, formatLevels(levels))
			return levels
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s %s: want %v heard and %v not heard; levels %s", p.name, what, heard, silent, formatLevels(levels))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func formatLevels(levels map[float64]float64) string {
	var parts []string
	for _, hz := range []float64{aliceHz, bobHz, carolHz, daveHz} {
		if l, ok := levels[hz]; ok {
			parts = append(parts, fmt.Sprintf("%.0f Hz %.1f dBFS", hz, l))
		}
	}
	return strings.Join(parts, ", ")
}

// inConference lists callObj.inConference of alice's calls, oldest first.
func (f *manyCallsFixture) inConference(t *testing.T) []bool {
	t.Helper()
	var out []bool
	f.page.Eval(t, `harness.clients.alice.getCalls().map(c => c.inConference)`, &out)
	return out
}

// The local conference end to end: bob (470 Hz), carol (690 Hz) and dave
// (830 Hz), Go far ends, call alice (1 kHz) one after the other; alice's
// Conference() resumes the held ones and mixes them in the page, and each
// far end hears the other two and alice. Mute() on bob's call takes alice
// out of what bob hears only; a new microphone is mixed in its place;
// dave hanging up leaves bob and carol hearing
// each other; EndConference() keeps carol (the newest left) and holds bob.
// Conference() with one call is refused and sends nothing.
func TestConferenceMixesThreeFarEndsInThePage(t *testing.T) {
	f := newManyCallsFixture(t, map[string]any{"maxCalls": 3})
	davePeer := farend.New(t, farend.Config{User: "dave", Domain: f.srv.Domain, Server: f.srv.UDPAddr, DisplayName: "Dave"})
	conference := func() bool {
		var ok bool
		f.page.Eval(t, `harness.clients.alice.Conference()`, &ok)
		return ok
	}

	bob := dialAndAnswer(t, f, f.bob, "bob", bobHz, 1)
	assert.False(t, conference(), "one call is no conference")
	require.Eventually(t, func() bool {
		return strings.Contains(strings.Join(f.page.Console(), "\n"), "Conference ignored: a conference needs at least two")
	}, 5*time.Second, 50*time.Millisecond, "the refusal says why")
	assert.Empty(t, reinviteDirections(bob.call), "nothing was sent")
	assert.Equal(t, []bool{false}, f.inConference(t))

	carol := dialAndAnswer(t, f, f.carol, "carol", carolHz, 2)
	dave := dialAndAnswer(t, f, davePeer, "dave", daveHz, 3)
	bob.hears(t, "while held", nil, []float64{aliceHz, carolHz, daveHz})

	require.True(t, conference())
	assert.Equal(t, []bool{true, true, true}, f.inConference(t))
	assert.Equal(t, []string{"sendonly", "sendrecv"}, reinviteDirections(bob.call), "bob: held for carol, resumed for the conference")
	assert.Equal(t, []string{"sendonly", "sendrecv"}, reinviteDirections(carol.call), "carol: held for dave, resumed")
	assert.Empty(t, reinviteDirections(dave.call), "the conference holds nobody")
	bob.hears(t, "in conference", []float64{aliceHz, carolHz, daveHz}, []float64{bobHz})
	carol.hears(t, "in conference", []float64{aliceHz, bobHz, daveHz}, []float64{carolHz})
	dave.hears(t, "in conference", []float64{aliceHz, bobHz, carolHz}, []float64{daveHz})
	// Our side receives every far end at once (each call's <audio> plays it).
	var received []float64
	require.Eventually(t, func() bool {
		f.page.Eval(t, `Promise.all(harness.clients.alice.getCalls().map(c => c.getStatistics()))
			.then(l => l.map(s => s ? s.audioLevel : 0))`, &received)
		return len(received) == 3 && received[0] > 0.05 && received[1] > 0.05 && received[2] > 0.05
	}, 10*time.Second, 200*time.Millisecond, "alice receives all three far ends; audioLevel %v", received)
	t.Logf("alice receives audioLevel %v", received)

	// Mute() on bob's call: bob no longer hears alice, still hears the others.
	f.byID(t, bob.call.CallID(), `c.Mute()`, nil)
	bob.hears(t, "with his call muted", []float64{carolHz, daveHz}, []float64{aliceHz})
	carol.hears(t, "while bob's call is muted", []float64{aliceHz, bobHz, daveHz}, nil)
	f.byID(t, bob.call.CallID(), `c.UnMute()`, nil)
	bob.hears(t, "unmuted again", []float64{aliceHz, carolHz, daveHz}, nil)

	// A new microphone during the conference is mixed in place of the old
	// one, which is stopped: measured on audio sent after the change only.
	in1 := deviceIDs(t, f.callFixture, "audioinput")["Fake Audio Input 1"]
	require.NotEmpty(t, in1)
	// Started here and waited for apart: on a loaded machine reopening three
	// calls' microphones can take longer than one evaluation may.
	start := time.Now()
	f.page.Eval(t, fmt.Sprintf(`window.__changed = null; harness.promised('alice', 'changeAudioInputDevice', [%q])
		.then(o => { window.__changed = o; }); true`, in1), nil)
	f.page.WaitUntil(t, `window.__changed !== null`, 90*time.Second)
	var o outcome
	f.page.Eval(t, `window.__changed`, &o)
	assert.Equal(t, outcome{OK: []string{in1}}, o)
	t.Logf("changeAudioInputDevice with three calls in conference took %s", time.Since(start).Round(time.Millisecond))
	changed := time.Now()
	bob.hearsSince(t, changed, "on the new microphone", []float64{aliceHz, carolHz, daveHz}, nil)
	dave.hearsSince(t, changed, "on the new microphone", []float64{aliceHz, bobHz, carolHz}, []float64{daveHz})

	// Dave hangs up: bob and carol still hear each other and alice.
	require.NoError(t, dave.call.Hangup(f.ctx))
	f.waitCount(t, "terminated", 1)
	assert.Equal(t, []bool{true, true}, f.inConference(t))
	bob.hears(t, "after dave left", []float64{aliceHz, carolHz}, []float64{daveHz})
	carol.hears(t, "after dave left", []float64{aliceHz, bobHz}, []float64{daveHz})

	// EndConference(): carol, the newest, stays connected; bob is held.
	var ok bool
	f.page.Eval(t, `harness.clients.alice.EndConference()`, &ok)
	require.True(t, ok)
	assert.Equal(t, []bool{false, false}, f.inConference(t))
	var held []bool
	f.page.Eval(t, `harness.clients.alice.getCalls().map(c => c.isOnHold)`, &held)
	assert.Equal(t, []bool{true, false}, held)
	assert.Equal(t, []string{"sendonly", "sendrecv", "sendonly"}, reinviteDirections(bob.call))
	farLevelEventually(t, bob.call, func(l float64) bool { return l <= farend.SilenceDBFS+1 }, "silent: held after the conference")
	carol.hears(t, "after the conference", []float64{aliceHz}, []float64{bobHz})
	f.page.Eval(t, `harness.clients.alice.EndConference()`, &ok)
	assert.False(t, ok, "no conference to end")
	requireNoExceptions(t, f.page)
}
