package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/webphone/exotelsdk/tests/browser"
	"github.com/webphone/exotelsdk/tests/kamailio"
)

// videoPair is two SDK pages, alice and bob, registered to one Kamailio in
// one Chromium whose fake devices are a tone microphone and three fake
// cameras that draw real frames.
type videoPair struct {
	srv        *kamailio.Server
	alice, bob *browser.Page
}

func newVideoPair(t testing.TB) *videoPair {
	srv := kamailio.Start(t, kamailio.Options{})
	base := browser.Serve(t)
	b := browser.Launch(t, browser.Options{FakeAudioFile: browser.ToneWAV(t, 800, 0.5, 10),
		// Three fake cameras: Chromium's second one is a 16-bit depth
		// camera (Y16), whose frames no far end decodes; the tests switch
		// to the third, an ordinary I420 one.
		Flags: map[string]any{"use-fake-device-for-media-stream": "device-count=3"}})
	v := &videoPair{srv: srv}
	for _, name := range []string{"alice", "bob"} {
		page := b.OpenWith(t, base+"/tests/pages/phone.html", browser.OpenOptions{InitScript: videoInitScript})
		page.Eval(t, `window.logLines = []; exotelSDK.ExotelWebClient.registerLoggerCallback((level, message) => logLines.push(message))`, nil)
		t.Cleanup(func() {
			if t.Failed() {
				var lines []string
				_ = page.EvalErr(`logLines.slice(-120)`, &lines)
				t.Logf("%s's SDK log (last %d lines):\n%s", name, len(lines), strings.Join(lines, "\n"))
			}
		})
		// maxCalls 2: a second call can wait while a video call is up.
		page.Eval(t, `harness.create('`+name+`', Object.assign(`+js(t, account(t, srv, name))+`, {maxCalls: 2})).then(() => harness.clients.`+name+`.DoRegister())`, nil)
		waitEvent(t, page, "register:"+name, "registered", 10*time.Second)
		if name == "alice" {
			v.alice = page
		} else {
			v.bob = page
		}
	}
	return v
}

// page is the page of name.
func (v *videoPair) page(name string) *browser.Page {
	if name == "alice" {
		return v.alice
	}
	return v.bob
}

// count is how many call events ev name has had.
func (v *videoPair) count(t testing.TB, name, ev string) int {
	t.Helper()
	var n int
	v.page(name).Eval(t, fmt.Sprintf(`video.events(%q, %q)`, name, ev), &n)
	return n
}

// waitCount waits until name has had more than n call events ev.
func (v *videoPair) waitCount(t testing.TB, name, ev string, n int) {
	t.Helper()
	v.page(name).WaitUntil(t, fmt.Sprintf(`video.events(%q, %q) > %d`, name, ev, n), 20*time.Second)
}

// eval evaluates expr on name's page, with c bound to its current call.
func (v *videoPair) eval(t *testing.T, name, expr string, out any) {
	t.Helper()
	v.page(name).Eval(t, fmt.Sprintf(`(async (c) => %s)(video.call(%q))`, expr, name), out)
}

// run starts expr (a Promise of a boolean, with c bound to name's call)
// and waits for its outcome: re-INVITEs and camera openings can take long
// on a loaded machine, longer than one Eval may.
func (v *videoPair) run(t *testing.T, name, expr string) bool {
	t.Helper()
	page := v.page(name)
	page.Eval(t, fmt.Sprintf(`((c) => { window.outcome = undefined; Promise.resolve(%s).then(r => { window.outcome = r; }); return true; })(video.call(%q))`, expr, name), nil)
	page.WaitUntil(t, `window.outcome !== undefined`, 60*time.Second)
	var ok bool
	page.Eval(t, `window.outcome`, &ok)
	return ok
}

// call has alice call bob (options is MakeCall's second argument) and bob
// answer with answer (Answer's argument); both end up connected.
func (v *videoPair) call(t *testing.T, options, answer string) {
	t.Helper()
	inc, ac, bc := v.count(t, "bob", "incoming"), v.count(t, "alice", "connected"), v.count(t, "bob", "connected")
	var ok bool
	v.alice.Eval(t, `harness.clients.alice.MakeCall('bob', `+options+`)`, &ok)
	require.True(t, ok)
	v.waitCount(t, "bob", "incoming", inc)
	v.eval(t, "bob", `c.Answer(`+answer+`)`, &ok)
	require.True(t, ok)
	v.waitCount(t, "alice", "connected", ac)
	v.waitCount(t, "bob", "connected", bc)
}

// hangup ends the call from alice, if there is one.
func (v *videoPair) hangup(t testing.TB) {
	t.Helper()
	var has bool
	v.alice.Eval(t, `!!video.call('alice')`, &has)
	if !has {
		return
	}
	v.alice.Eval(t, `video.call('alice').Hangup()`, nil)
	v.alice.WaitUntil(t, `!video.call('alice')`, 10*time.Second)
	v.bob.WaitUntil(t, `!video.call('bob')`, 10*time.Second)
}

// kinds lists the live tracks of a stream expression on name's current call.
func (v *videoPair) kinds(t *testing.T, name, stream string) []string {
	t.Helper()
	var k []string
	v.eval(t, name, `video.kinds(c.`+stream+`())`, &k)
	return k
}

func (v *videoPair) hasVideo(t *testing.T, name string) bool {
	t.Helper()
	var has bool
	v.eval(t, name, `c.hasVideo`, &has)
	return has
}

// audible requires every window of a measured audio level to be above
// silence: the audio never stopped.
func audible(t *testing.T, levels []float64, what string) {
	t.Helper()
	require.NotEmpty(t, levels)
	for i, l := range levels {
		require.Greater(t, l, 0.01, "%s: audio window %d of %d (100 ms) is silent: %v", what, i+1, len(levels), levels)
	}
}

func TestVideoCalls(t *testing.T) {
	v := newVideoPair(t)

	t.Run("video call both ways", func(t *testing.T) {
		defer v.hangup(t)
		v.call(t, `{video: true}`, `{video: true}`)
		offer := lastSDP(t, v.alice, "out", "INVITE")
		line, dir := videoMLine(offer)
		require.NotEmpty(t, line, "the INVITE has m=video: %s", offer)
		assert.Equal(t, "sendrecv", dir)
		assert.Contains(t, offer, "VP8/90000", "VP8 is offered")
		t.Logf("H.264 offered: %v", strings.Contains(offer, "H264/90000"))
		_, dir = videoMLine(lastSDP(t, v.alice, "in", "SIP/2.0 200"))
		assert.Equal(t, "sendrecv", dir, "bob answers with his camera")

		for _, name := range []string{"alice", "bob"} {
			f := framesFlow(t, v.page(name), name)
			t.Logf("%s receives %.0f frames in 2 s at %.0fx%.0f, %.0f fps, %.0f kbit/s, %s", name, f.Decoded, f.Width, f.Height, f.FPS, f.Bitrate/1000, f.Codec)
			assert.True(t, v.hasVideo(t, name))
			assert.Equal(t, []string{"audio", "video"}, v.kinds(t, name, "getRemoteStream"))
			assert.Equal(t, []string{"audio", "video"}, v.kinds(t, name, "getLocalStream"))
		}

		// MuteVideo takes the camera off the sender: the far end gets no new
		// frame; UnMuteVideo puts it back.
		var ok bool
		v.eval(t, "alice", `c.MuteVideo()`, &ok)
		require.True(t, ok)
		v.alice.WaitUntil(t, `JSON.parse(video.transceivers()).some(t => t.kind === 'video' && !t.sending)`, 20*time.Second)
		require.Eventually(t, func() bool { return frames(t, v.bob, "bob").Decoded == 0 }, 30*time.Second, 10*time.Millisecond, "bob gets no frames while alice's video is muted")
		v.eval(t, "alice", `c.isVideoMuted`, &ok)
		assert.True(t, ok)
		v.eval(t, "alice", `c.UnMuteVideo()`, &ok)
		framesFlow(t, v.bob, "bob")

		// Hold stops both streams; resume brings them back.
		ok = v.run(t, "alice", `c.Hold()`)
		require.True(t, ok)
		assert.Equal(t, "sendonly", func() string { _, d := videoMLine(lastSDP(t, v.alice, "out", "INVITE")); return d }(), "hold holds the video")
		require.Eventually(t, func() bool { return frames(t, v.bob, "bob").Decoded == 0 }, 20*time.Second, 10*time.Millisecond, "bob sees nothing while held")
		ok = v.run(t, "alice", `c.UnHold()`)
		require.True(t, ok)
		framesFlow(t, v.bob, "bob")

	})

	t.Run("audio call upgraded and downgraded", func(t *testing.T) {
		defer v.hangup(t)
		v.call(t, `{}`, ``)
		line, _ := videoMLine(lastSDP(t, v.alice, "out", "INVITE"))
		assert.Empty(t, line, "an audio call offers no video")
		assert.False(t, v.hasVideo(t, "bob"))
		bobUpdates := v.count(t, "bob", "mediaUpdated")

		// alice adds video: bob receives it at once, his camera stays off.
		reinvites := sdpCount(t, v.bob, "in", "INVITE")
		var ok bool
		v.bob.Eval(t, `video.measure('bob', 3000, 100)`, nil)
		ok = v.run(t, "alice", `c.AddVideo()`)
		require.True(t, ok)
		require.Equal(t, reinvites+1, sdpCount(t, v.bob, "in", "INVITE"), "one re-INVITE")
		line, dir := videoMLine(lastSDP(t, v.bob, "in", "INVITE"))
		assert.NotContains(t, line, "m=video 0 ", "the re-INVITE adds m=video: %s", line)
		assert.Equal(t, "sendrecv", dir)
		_, dir = videoMLine(lastSDP(t, v.bob, "out", "SIP/2.0 200"))
		assert.Equal(t, "recvonly", dir, "bob answers recvonly: he sees alice, his camera is not asked")
		v.waitCount(t, "bob", "mediaUpdated", bobUpdates)
		assert.True(t, v.hasVideo(t, "bob"))
		f := framesFlow(t, v.bob, "bob")
		assert.Zero(t, f.Sent, "bob sends no video")
		assert.Equal(t, []string{"audio"}, v.kinds(t, "bob", "getLocalStream"), "bob's camera is off")
		audible(t, audioLevels(t, v.bob), "AddVideo")

		// bob turns his camera on.
		aliceUpdates := v.count(t, "alice", "mediaUpdated")
		ok = v.run(t, "bob", `c.AddVideo()`)
		require.True(t, ok)
		_, dir = videoMLine(lastSDP(t, v.bob, "out", "INVITE"))
		assert.Equal(t, "sendrecv", dir)
		v.waitCount(t, "alice", "mediaUpdated", aliceUpdates)
		framesFlow(t, v.alice, "alice")

		// alice removes the video: inactive on the wire, audio goes on.
		bobUpdates = v.count(t, "bob", "mediaUpdated")
		v.bob.Eval(t, `video.measure('bob', 3000, 100)`, nil)
		ok = v.run(t, "alice", `c.RemoveVideo()`)
		require.True(t, ok)
		removal := lastSDP(t, v.bob, "in", "INVITE")
		assert.True(t, videoOff(removal), "the re-INVITE disables the video: %s", removal)
		v.waitCount(t, "bob", "mediaUpdated", bobUpdates)
		assert.False(t, v.hasVideo(t, "alice"))
		assert.False(t, v.hasVideo(t, "bob"))
		assert.Equal(t, []string{"audio"}, v.kinds(t, "alice", "getLocalStream"), "alice's camera is stopped")
		assert.Equal(t, []string{"audio"}, v.kinds(t, "bob", "getRemoteStream"))
		audible(t, audioLevels(t, v.bob), "RemoveVideo")
	})

	t.Run("video offer answered without video", func(t *testing.T) {
		defer v.hangup(t)
		v.call(t, `{video: true}`, ``)
		answer := lastSDP(t, v.alice, "in", "SIP/2.0 200")
		assert.True(t, videoOff(answer), "bob's answer rejects or disables the video: %s", answer)
		assert.False(t, v.hasVideo(t, "alice"))
		assert.False(t, v.hasVideo(t, "bob"))
		v.alice.WaitUntil(t, `video.kinds(video.call('alice').getLocalStream()).join() === 'audio'`, 10*time.Second)
		var lvl float64
		require.Eventually(t, func() bool {
			v.bob.Eval(t, `harness.level('bob', 300)`, &lvl)
			return lvl > 0.01
		}, 20*time.Second, 10*time.Millisecond, "the audio works")
	})

	t.Run("bad input", func(t *testing.T) {
		defer v.hangup(t)
		inc := v.count(t, "bob", "incoming")
		var ok bool
		v.alice.Eval(t, `harness.clients.alice.MakeCall('bob')`, &ok)
		v.waitCount(t, "bob", "incoming", inc)
		ok = v.run(t, "bob", `c.AddVideo()`)
		assert.False(t, ok, "AddVideo on a ringing call")
		ok = v.run(t, "alice", `c.AddVideo()`)
		assert.False(t, ok, "AddVideo on a call still ringing at the far end")
		connected := v.count(t, "alice", "connected")
		v.eval(t, "bob", `c.Answer()`, &ok)
		v.waitCount(t, "alice", "connected", connected)
		v.bob.WaitUntil(t, `video.call('bob').callState === 'connected'`, 10*time.Second)

		v.eval(t, "alice", `(window.firstAdd = c.AddVideo(), c.AddVideo())`, &ok)
		assert.False(t, ok, "AddVideo twice in a row: the second is refused")
		ok = v.run(t, "alice", `window.firstAdd`)
		assert.True(t, ok, "the first AddVideo goes through")
		assert.True(t, v.hasVideo(t, "alice"), "the call has the first one's video")
		ok = v.run(t, "alice", `c.RemoveVideo()`)
		require.True(t, ok)
		ok = v.run(t, "alice", `c.RemoveVideo()`)
		assert.False(t, ok, "RemoveVideo without video")
		v.alice.WaitUntil(t, `logLines.some(l => l.includes('AddVideo refused, the call is unchanged: a video change is already in progress'))`, 5*time.Second)
		// While the re-INVITE of a hold is in progress AddVideo is refused too.
		reinvites := sdpCount(t, v.bob, "in", "INVITE")
		v.eval(t, "alice", `(window.holding = c.Hold(), c.AddVideo())`, &ok)
		assert.False(t, ok, "AddVideo while a hold's re-INVITE is in progress")
		require.True(t, v.run(t, "alice", `window.holding`), "the hold goes through")
		assert.Equal(t, reinvites+1, sdpCount(t, v.bob, "in", "INVITE"), "one re-INVITE: the hold's")
		assert.False(t, v.hasVideo(t, "alice"), "the call is unchanged: no video")
		require.True(t, v.run(t, "alice", `c.UnHold()`))

		v.hangup(t)
		v.alice.Eval(t, `harness.lastCall('alice').AddVideo()`, &ok)
		assert.False(t, ok, "AddVideo on an ended call")
		v.alice.Eval(t, `harness.lastCall('alice').MuteVideo()`, &ok)
		assert.False(t, ok, "MuteVideo on an ended call")
	})

	t.Run("with the Go far end", func(t *testing.T) { videoWithTheGoFarEnd(t, v) })
	t.Run("a preferred video codec", func(t *testing.T) { preferredVideoCodec(t, v) })

	t.Run("camera switched mid-call", func(t *testing.T) {
		defer v.hangup(t)
		v.call(t, `{video: true}`, `{video: true}`)
		framesFlow(t, v.bob, "bob")
		// The camera switched mid-call: the new camera goes out, frames go on.
		var cams []struct{ DeviceID, Label string }
		v.alice.Eval(t, `navigator.mediaDevices.enumerateDevices().then(l => l.filter(d => d.kind === 'videoinput').map(d => ({deviceId: d.deviceId, label: d.label})))`, &cams)
		require.Len(t, cams, 3, "three fake cameras: %v", cams)
		var current string
		v.eval(t, "alice", `c.getLocalStream().getVideoTracks()[0].getSettings().deviceId`, &current)
		other := cams[2].DeviceID // the ordinary one of the two others (the second is a depth camera)
		require.NotEqual(t, current, other, "the call starts on the default camera")
		var res map[string][]string
		v.alice.Eval(t, `harness.promised('alice', 'changeVideoInputDevice', ['no-such-camera'])`, &res)
		assert.Equal(t, []string{"deviceIdNotFound"}, res["err"])
		v.alice.Eval(t, `harness.promised('alice', 'changeVideoInputDevice', [`+js(t, other)+`])`, &res)
		require.Equal(t, []string{other}, res["ok"], "onSuccess(deviceId): %v", res)
		v.eval(t, "alice", `c.getLocalStream().getVideoTracks()[0].getSettings().deviceId`, &current)
		assert.Equal(t, other, current, "the call's local stream has the new camera")
		framesFlow(t, v.bob, "bob") // frames of the new camera reach the far end
	})

	t.Run("camera refused", func(t *testing.T) {
		defer v.hangup(t)
		v.alice.Eval(t, `video.refuseCamera = true`, nil)
		defer v.alice.Eval(t, `video.refuseCamera = false`, nil)
		denied := v.count(t, "alice", "media_permission_denied")
		v.call(t, `{video: true}`, `{video: true}`)
		v.waitCount(t, "alice", "media_permission_denied", denied)
		assert.True(t, videoOff(lastSDP(t, v.alice, "out", "INVITE")), "no video offered without the camera")
		assert.False(t, v.hasVideo(t, "alice"))
		var lvl float64
		require.Eventually(t, func() bool {
			v.bob.Eval(t, `harness.level('bob', 300)`, &lvl)
			return lvl > 0.01
		}, 20*time.Second, 10*time.Millisecond, "the call goes on with audio")
		var ok bool
		ok = v.run(t, "alice", `c.AddVideo()`)
		assert.False(t, ok, "AddVideo with the camera refused")
	})

	requireNoExceptions(t, v.alice)
	requireNoExceptions(t, v.bob)
}
