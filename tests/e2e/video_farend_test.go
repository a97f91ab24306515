package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/webphone/exotelsdk/tests/farend"
)

// farFrames is what a Go far end's call received in the last window.
func farFrames(call *farend.Call, window time.Duration) (frames int, last farend.VideoFigures) {
	a := call.Video()
	time.Sleep(window)
	last = call.Video()
	return last.Frames - a.Frames, last
}

// farFramesFlow waits until the Go far end receives VP8 frames (over 2 s)
// and has read a resolution from a keyframe.
func farFramesFlow(t *testing.T, call *farend.Call, what string) {
	t.Helper()
	var n int
	var f farend.VideoFigures
	require.Eventually(t, func() bool {
		n, f = farFrames(call, 2*time.Second)
		return n > 0 && f.Width > 0 && f.Height > 0
	}, 30*time.Second, 10*time.Millisecond, "%s: the far end receives VP8 frames (last: %d in 2 s, %+v)", what, n, f)
	t.Logf("%s: the far end received %d frames in 2 s, keyframes at %dx%d", what, n, f.Width, f.Height)
}

// videoWithTheGoFarEnd runs video calls between alice and a Go far end
// (pion, VP8 only): it counts the frames it receives and reads their
// resolution, and echoes them back, so alice decodes real frames too.
func videoWithTheGoFarEnd(t *testing.T, v *videoPair) {
	carol := farend.New(t, farend.Config{User: "carol", Domain: v.srv.Domain, Server: v.srv.UDPAddr, Video: true})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	t.Run("alice calls the Go far end with video", func(t *testing.T) {
		defer v.hangup(t)
		connected := v.count(t, "alice", "connected")
		var ok bool
		v.alice.Eval(t, `harness.clients.alice.MakeCall('carol', {video: true})`, &ok)
		require.True(t, ok)
		in, err := carol.WaitIncoming(ctx)
		require.NoError(t, err)
		line, dir := videoMLine(string(in.Request().Body()))
		require.NotEmpty(t, line, "the far end is offered video")
		assert.Equal(t, "sendrecv", dir)
		require.NoError(t, in.Answer(ctx))
		v.waitCount(t, "alice", "connected", connected)
		_, dir = videoMLine(lastSDP(t, v.alice, "in", "SIP/2.0 200"))
		assert.Equal(t, "sendrecv", dir, "the far end answers with video")

		farFramesFlow(t, in, "the call")
		f := framesFlow(t, v.alice, "alice")
		t.Logf("alice decodes %.0f echoed frames in 2 s at %.0fx%.0f", f.Decoded, f.Width, f.Height)

		// DTMF on a video call reaches the far end: by SIP INFO (the
		// default), then by RFC 4733 on the audio sender, not the video one.
		v.eval(t, "alice", `c.sendDTMF('5')`, &ok)
		require.True(t, ok)
		require.Eventually(t, func() bool { return len(infoSignals(in)) == 1 }, 20*time.Second, 10*time.Millisecond, "an INFO reaches the far end")
		assert.Equal(t, []string{"5"}, infoSignals(in))
		v.alice.Eval(t, `harness.clients.alice.setDtmfMode('rfc4733')`, nil)
		defer v.alice.Eval(t, `harness.clients.alice.setDtmfMode('info')`, nil)
		v.eval(t, "alice", `c.sendDTMF('7')`, &ok)
		require.True(t, ok)
		dctx, dcancel := context.WithTimeout(ctx, 20*time.Second)
		defer dcancel()
		digits, err := in.WaitDTMF(dctx, 1)
		require.NoError(t, err, "a telephone-event reaches the far end")
		assert.Equal(t, []rune{'7'}, digits)

		// Hold holds both streams: the far end's frames stop, then resume.
		require.True(t, v.run(t, "alice", `c.Hold()`))
		hold := lastSDP(t, v.alice, "out", "INVITE")
		_, dir = videoMLine(hold)
		assert.Equal(t, "sendonly", dir, "hold holds the video: %s", hold)
		assert.Equal(t, farend.SendOnly, farend.AudioDirection(hold))
		require.Eventually(t, func() bool { n, _ := farFrames(in, time.Second); return n == 0 },
			20*time.Second, 10*time.Millisecond, "the far end gets no frames while held")
		require.True(t, v.run(t, "alice", `c.UnHold()`))
		farFramesFlow(t, in, "after resume")
	})

	t.Run("the Go far end calls alice with video", func(t *testing.T) {
		defer v.hangup(t)
		incoming, connected := v.count(t, "alice", "incoming"), v.count(t, "alice", "connected")
		out, err := carol.Dial(ctx, "alice", farend.CallOptions{})
		require.NoError(t, err)
		v.waitCount(t, "alice", "incoming", incoming)
		line, _ := videoMLine(lastSDP(t, v.alice, "in", "INVITE"))
		require.NotEmpty(t, line, "alice is offered video")
		var ok bool
		v.eval(t, "alice", `c.Answer({video: true})`, &ok)
		require.True(t, ok)
		v.waitCount(t, "alice", "connected", connected)
		require.NoError(t, out.WaitStatus(ctx, 200))
		assert.True(t, v.hasVideo(t, "alice"))
		farFramesFlow(t, out, "the call")
		framesFlow(t, v.alice, "alice")

		require.NoError(t, out.Hangup(ctx))
		v.alice.WaitUntil(t, `!video.call('alice')`, 10*time.Second)
	})

	t.Run("a call waits while a video call is up", func(t *testing.T) {
		defer v.hangup(t)
		connected := v.count(t, "alice", "connected")
		var ok bool
		v.alice.Eval(t, `harness.clients.alice.MakeCall('carol', {video: true})`, &ok)
		require.True(t, ok)
		in, err := carol.WaitIncoming(ctx)
		require.NoError(t, err)
		require.NoError(t, in.Answer(ctx))
		v.waitCount(t, "alice", "connected", connected)
		farFramesFlow(t, in, "the video call")
		var videoID string
		v.eval(t, "alice", `c.callId`, &videoID)

		// bob's call waits; answering it holds the video call, both streams.
		incoming, bobConnected := v.count(t, "alice", "incoming"), v.count(t, "bob", "connected")
		v.bob.Eval(t, `harness.clients.bob.MakeCall('alice')`, &ok)
		require.True(t, ok)
		v.waitCount(t, "alice", "incoming", incoming)
		v.alice.Eval(t, `harness.clients.alice.getCalls().find(c => c.callState === 'incoming').Answer()`, &ok)
		require.True(t, ok)
		v.waitCount(t, "bob", "connected", bobConnected)
		hold, err := in.WaitRequest(ctx, "INVITE")
		require.NoError(t, err)
		_, dir := videoMLine(string(hold.Body()))
		assert.Equal(t, "sendonly", dir, "the held video call's video is held too")
		assert.Equal(t, farend.SendOnly, farend.AudioDirection(string(hold.Body())))
		require.Eventually(t, func() bool { n, _ := farFrames(in, time.Second); return n == 0 },
			20*time.Second, 10*time.Millisecond, "the held far end gets no frames")
		require.Eventually(t, func() bool {
			var lvl float64
			v.bob.Eval(t, `harness.level('bob', 300)`, &lvl)
			return lvl > 0.01
		}, 20*time.Second, 10*time.Millisecond, "bob hears alice")

		// bob's call ends; the video call resumes with its video.
		v.alice.Eval(t, `harness.clients.alice.getCalls().find(c => c.callId !== `+js(t, videoID)+`).Hangup()`, nil)
		v.bob.WaitUntil(t, `!video.call('bob')`, 10*time.Second)
		v.alice.Eval(t, `harness.clients.alice.getCallById(`+js(t, videoID)+`).UnHold()`, &ok)
		require.True(t, ok)
		farFramesFlow(t, in, "the video call resumed")
		assert.True(t, v.hasVideo(t, "alice"))
	})

	t.Run("a video call transferred", func(t *testing.T) {
		defer v.hangup(t)
		defer func() { // bob's call to the far end, if the transfer made one
			v.bob.Eval(t, `video.call('bob') && video.call('bob').Hangup()`, nil)
			v.bob.WaitUntil(t, `!video.call('bob')`, 10*time.Second)
		}()
		v.call(t, `{video: true}`, `{video: true}`)
		framesFlow(t, v.bob, "bob")
		// alice hands bob to the Go far end: bob's SDK acts on the REFER.
		v.alice.Eval(t, `window.transferred = video.call('alice').Transfer('carol'); true`, nil)
		in, err := carol.WaitIncoming(ctx)
		require.NoError(t, err)
		assert.Contains(t, in.Request().GetHeader("Referred-By").Value(), "alice", "the far end learns who referred bob")
		require.NoError(t, in.Answer(ctx))
		require.True(t, v.run(t, "alice", `window.transferred`), "Transfer() resolves true")
		v.alice.WaitUntil(t, `!video.call('alice')`, 20*time.Second)
		require.NoError(t, in.WaitMedia(ctx))
		farLevelEventually(t, in, func(l float64) bool { return l > -45 }, "bob heard at the far end after the transfer")
		var referred string
		v.eval(t, "bob", `c.callDetails().referredBy`, &referred)
		assert.Contains(t, referred, "alice")
	})
}
