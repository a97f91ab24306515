package phone

import (
	"errors"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/webphone/exotelsdk/sdk/media"
)

// farVideoSDP is the far end's SDP with audio dir and a video stream.
func farVideoSDP(version int, dir media.Direction, video string) string {
	return farSDP(version, dir) + video
}

// videoAsync runs AddVideo (add) or RemoveVideo in the background.
func videoAsync(c *Call, add bool) <-chan error {
	done := make(chan error, 1)
	go func() {
		if add {
			done <- c.AddVideo()
		} else {
			done <- c.RemoveVideo()
		}
	}()
	return done
}

// mediaUpdates counts the mediaUpdated events so far.
func (f *fixture) mediaUpdates() int {
	n := 0
	for _, e := range f.events.callEvents() {
		if e == EventMediaUpdated {
			n++
		}
	}
	return n
}

// waitMediaUpdates waits for the n-th mediaUpdated.
func (f *fixture) waitMediaUpdates(t *testing.T, n int) {
	t.Helper()
	require.Eventually(t, func() bool { return f.mediaUpdates() >= n }, waitFor, 2*time.Millisecond,
		"mediaUpdated #%d; events %v", n, f.events.callEvents())
}

func TestVideoCallOffersVideoWithTheCamera(t *testing.T) {
	f := newRegisteredFixture(t)
	c, inv := f.dial(CallOptions{Video: true})
	sess := f.media.session(t, 0)
	assert.Equal(t, []string{"SetVideo", "Offer"}, sess.names()[:2], "the camera opens before the offer")
	v := videoOf(string(inv.Body()))
	assert.True(t, v.open())
	assert.Equal(t, "sendrecv", v.dir)

	fe := calleeOf(inv)
	f.conn.inject(fe.reply(inv, 200, "OK", farVideoSDP(1, media.SendRecv, videoSDP(50002, media.SendRecv))))
	f.conn.nextRequest(t, sip.ACK)
	f.events.waitCall(t, StateConnected)
	d := c.Details()
	assert.True(t, d.HasVideo)
	assert.True(t, d.LocalVideo)
	assert.True(t, d.RemoteVideo)
	assert.Zero(t, f.mediaUpdates(), "setting up is not a change")
}

func TestVideoCallAnsweredWithoutVideoStopsTheCamera(t *testing.T) {
	f := newRegisteredFixture(t)
	c, inv := f.dial(CallOptions{Video: true})
	sess := f.media.session(t, 0)
	fe := calleeOf(inv)
	f.conn.inject(fe.reply(inv, 200, "OK", farVideoSDP(1, media.SendRecv, videoSDP(0, media.Inactive))))
	f.conn.nextRequest(t, sip.ACK)
	f.events.waitCall(t, StateConnected)
	assert.False(t, c.HasVideo())
	assert.Equal(t, media.Inactive, sess.named("SetVideo")[1].Dir, "the camera stops")
}

func TestVideoOfferAnsweredPlainlyIsAudioOnly(t *testing.T) {
	f := newRegisteredFixture(t)
	fe := newFarEnd()
	c, _ := f.ring(fe, farVideoSDP(1, media.SendRecv, videoSDP(50002, media.SendRecv)))
	ok := f.answer(c, fe)
	v := videoOf(string(ok.Body()))
	assert.True(t, v.present, "the answer keeps the m-line")
	assert.False(t, v.active(), "and disables it: %s", ok.Body())
	for _, op := range f.media.session(t, 0).named("SetVideo") {
		assert.Equal(t, media.Inactive, op.Dir, "no camera asked")
	}
	f.conn.inject(fe.ack(fe.inviteCSeq, ""))
	f.events.waitCall(t, StateConnected)
	assert.False(t, c.HasVideo())
}

func TestVideoOfferAnsweredWithVideoSendsTheCamera(t *testing.T) {
	f := newRegisteredFixture(t)
	fe := newFarEnd()
	c, _ := f.ring(fe, farVideoSDP(1, media.SendRecv, videoSDP(50002, media.SendRecv)))
	require.NoError(t, c.AnswerWith(AnswerOptions{Video: true}))
	ok := f.conn.nextResponse(t, 200)
	assert.Equal(t, "sendrecv", videoOf(string(ok.Body())).dir)
	fe.learn(ok)
	f.conn.inject(fe.ack(fe.inviteCSeq, ""))
	f.events.waitCall(t, StateConnected)
	assert.True(t, c.Details().LocalVideo)
	assert.True(t, c.Details().RemoteVideo)
}

func TestCameraRefusedKeepsTheCallAudioOnly(t *testing.T) {
	f := newRegisteredFixture(t)
	f.media.failCamera(errors.New("NotAllowedError: Permission denied"))
	fe := newFarEnd()
	c, _ := f.ring(fe, farVideoSDP(1, media.SendRecv, videoSDP(50002, media.SendRecv)))
	require.NoError(t, c.AnswerWith(AnswerOptions{Video: true}))
	ok := f.conn.nextResponse(t, 200)
	assert.False(t, videoOf(string(ok.Body())).active(), "no video without the camera")
	fe.learn(ok)
	f.conn.inject(fe.ack(fe.inviteCSeq, ""))
	f.events.waitCall(t, StateConnected)
	f.events.wait(t, "call", EventMediaPermissionDenied)
	assert.False(t, c.HasVideo())

	done := videoAsync(c, true)
	err := <-done
	require.Error(t, err, "AddVideo with the camera refused")
	f.conn.quiet(t, 50*time.Millisecond)
}

func TestAddAndRemoveVideoByReinvite(t *testing.T) {
	f := newRegisteredFixture(t)
	fe := newFarEnd()
	c, sess := f.connectedIncoming(fe)

	done := videoAsync(c, true)
	add := expectReinvite(t, f, fe, 1)
	v := videoOf(string(add.Body()))
	require.True(t, v.open(), "the re-INVITE adds m=video: %s", add.Body())
	assert.Equal(t, "sendrecv", v.dir)
	assert.Equal(t, media.SendRecv, sdpDirection(string(add.Body())), "the audio goes on")
	f.conn.inject(fe.reply(add, 200, "OK", farVideoSDP(2, media.SendRecv, videoSDP(50002, media.SendRecv))))
	expectAck(t, f, add)
	require.NoError(t, <-done)
	assert.True(t, c.HasVideo())
	f.waitMediaUpdates(t, 1)

	require.NoError(t, c.SetVideoMuted(true))
	assert.True(t, sess.waitOp(t, "SetVideoMuted", 1).Muted)
	assert.True(t, c.Details().VideoMuted)

	done = videoAsync(c, false)
	remove := expectReinvite(t, f, fe, 2)
	v = videoOf(string(remove.Body()))
	assert.False(t, v.active(), "RemoveVideo offers the video inactive: %s", remove.Body())
	assert.Equal(t, media.Inactive, sess.named("SetVideo")[1].Dir, "the camera stops")
	f.conn.inject(fe.reply(remove, 200, "OK", farVideoSDP(3, media.SendRecv, videoSDP(50002, media.Inactive))))
	expectAck(t, f, remove)
	require.NoError(t, <-done)
	assert.False(t, c.HasVideo())
	f.waitMediaUpdates(t, 2)
	assert.Empty(t, sess.named("Rollback"))
}

func TestAddVideoRefusedByTheFarEndLeavesTheCallAsItWas(t *testing.T) {
	f := newRegisteredFixture(t)
	fe := newFarEnd()
	c, sess := f.connectedIncoming(fe)
	done := videoAsync(c, true)
	add := expectReinvite(t, f, fe, 1)
	f.conn.inject(fe.reply(add, 488, "Not Acceptable Here", ""))
	f.conn.nextRequest(t, sip.ACK)
	require.Error(t, <-done)
	sess.waitOp(t, "Rollback", 1)
	assert.Equal(t, media.Inactive, sess.named("SetVideo")[1].Dir, "the camera is closed again")
	assert.False(t, c.HasVideo())
	assert.Equal(t, StateConnected, c.State())
	assert.Zero(t, f.mediaUpdates())
}

func TestAddVideoRefusedWhenItCannotBeDone(t *testing.T) {
	f := newRegisteredFixture(t)
	fe := newFarEnd()
	c, _ := f.ring(fe, farSDP(1, media.SendRecv))
	assert.Error(t, c.AddVideo(), "ringing")
	assert.Error(t, c.RemoveVideo(), "ringing")
	f.answer(c, fe)
	f.conn.inject(fe.ack(fe.inviteCSeq, ""))
	f.events.waitCall(t, StateConnected)
	assert.Error(t, c.RemoveVideo(), "no video to remove")

	// Twice in a row: the second is refused while the first waits for its answer.
	done := videoAsync(c, true)
	add := expectReinvite(t, f, fe, 1)
	assert.ErrorContains(t, c.AddVideo(), "in progress")
	f.conn.inject(fe.reply(add, 200, "OK", farVideoSDP(2, media.SendRecv, videoSDP(50002, media.SendRecv))))
	expectAck(t, f, add)
	require.NoError(t, <-done)
	assert.ErrorContains(t, c.AddVideo(), "already on")

	// While a hold re-INVITE is in progress.
	held := setHoldAsync(c, true)
	hold := expectReinvite(t, f, fe, 2)
	assert.ErrorContains(t, c.RemoveVideo(), "in progress")
	f.conn.inject(fe.reply(hold, 200, "OK", farVideoSDP(3, media.RecvOnly, videoSDP(50002, media.RecvOnly))))
	expectAck(t, f, hold)
	require.NoError(t, result(t, held))
	assert.Equal(t, "sendonly", videoOf(string(hold.Body())).dir, "hold holds the video too")
	f.conn.quiet(t, 50*time.Millisecond)

	require.NoError(t, c.Hangup())
	f.conn.nextRequest(t, sip.BYE)
	assert.ErrorIs(t, c.AddVideo(), errCallEnded)
	assert.ErrorIs(t, c.SetVideoMuted(true), errCallEnded)
}

func TestFarEndAddsVideoWeSeeThemThenAddVideoSendsOurs(t *testing.T) {
	f := newRegisteredFixture(t)
	fe := newFarEnd()
	c, sess := f.connectedIncoming(fe)

	f.conn.inject(fe.inDialog("INVITE", farVideoSDP(2, media.SendRecv, videoSDP(50002, media.SendRecv)), "application/sdp"))
	ok := f.conn.nextResponse(t, 200)
	assert.Equal(t, "recvonly", videoOf(string(ok.Body())).dir, "answered at once, our camera off")
	assert.Equal(t, media.RecvOnly, sess.named("SetVideo")[0].Dir)
	f.conn.inject(fe.ack(fe.cseq, ""))
	f.waitMediaUpdates(t, 1)
	d := c.Details()
	assert.True(t, d.HasVideo)
	assert.True(t, d.RemoteVideo)
	assert.False(t, d.LocalVideo)

	done := videoAsync(c, true)
	add := expectReinvite(t, f, fe, 1)
	assert.Equal(t, "sendrecv", videoOf(string(add.Body())).dir)
	f.conn.inject(fe.reply(add, 200, "OK", farVideoSDP(3, media.SendRecv, videoSDP(50002, media.SendRecv))))
	expectAck(t, f, add)
	require.NoError(t, <-done)
	assert.True(t, c.Details().LocalVideo)
	f.waitMediaUpdates(t, 2)

	// The far end's hold keeps the video; its removal drops it.
	f.conn.inject(fe.inDialog("INVITE", farVideoSDP(4, media.SendOnly, videoSDP(50002, media.SendOnly)), "application/sdp"))
	f.conn.nextResponse(t, 200)
	f.conn.inject(fe.ack(fe.cseq, ""))
	assert.True(t, c.HasVideo())
	f.conn.inject(fe.inDialog("INVITE", farVideoSDP(5, media.SendRecv, videoSDP(0, media.Inactive)), "application/sdp"))
	ok = f.conn.nextResponse(t, 200)
	assert.False(t, videoOf(string(ok.Body())).active())
	f.conn.inject(fe.ack(fe.cseq, ""))
	f.waitMediaUpdates(t, 3)
	assert.False(t, c.HasVideo())
}

func TestRemoteHoldReadsTheAudioNotTheVideo(t *testing.T) {
	assert.False(t, remoteHolds(farVideoSDP(1, media.SendRecv, videoSDP(5, media.SendOnly))))
	assert.True(t, remoteHolds(farVideoSDP(1, media.SendOnly, videoSDP(5, media.SendRecv))))
	v := videoOf("v=0\r\na=sendonly\r\nm=audio 1 RTP/AVP 0\r\na=sendrecv\r\nm=video 9 RTP/AVP 96\r\n")
	assert.Equal(t, "sendonly", v.dir, "the session-level direction applies to a section without one")
}
