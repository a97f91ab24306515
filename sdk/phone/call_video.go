package phone

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/webphone/exotelsdk/sdk/media"
)

// Call events of the video stream.
const (
	// EventMediaUpdated: the call's video changed (added or removed by
	// either end, our camera on or off, the far end's video on or off).
	EventMediaUpdated = "mediaUpdated"
	// EventMediaPermissionDenied: the camera was asked for and refused; the
	// call goes on without it.
	EventMediaPermissionDenied = "media_permission_denied"
)

// videoSession is the session's video side, or nil when it has none.
func videoSession(sess media.Session) media.Video {
	v, _ := sess.(media.Video)
	return v
}

// wantedVideo is the video direction we want, Inactive for none.
func (c *Call) wantedVideo() media.Direction {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.video == "" {
		return media.Inactive
	}
	return c.video
}

// setVideo asks the session for dir and records it. A camera that cannot be
// opened is logged (and reported when refused) and nothing changes.
func (c *Call) setVideo(ctx context.Context, sess media.Session, dir media.Direction) error {
	v := videoSession(sess)
	if v == nil {
		if dir == media.Inactive {
			return nil
		}
		return errors.New("this media cannot carry video")
	}
	if err := v.SetVideo(ctx, dir); err != nil {
		c.log.Warnf("camera unavailable, video stays off: %v", err)
		if permissionRefused(err) {
			c.report(EventMediaPermissionDenied)
		}
		return err
	}
	c.mu.Lock()
	c.video = dir
	c.mu.Unlock()
	return nil
}

// permissionRefused tells whether a getUserMedia error is the user's or the
// browser's refusal (NotAllowedError, SecurityError).
func permissionRefused(err error) bool {
	s := err.Error()
	return strings.Contains(s, "NotAllowedError") || strings.Contains(s, "SecurityError") ||
		strings.Contains(strings.ToLower(s), "permission")
}

// startVideo opens the camera of a video call before its first offer or
// answer; refused, the call goes on audio only. An audio-only answer to a
// video offer (offer is the far end's, "" for our own offer) disables the
// stream rather than let the browser receive it.
func (c *Call) startVideo(ctx context.Context, sess media.Session, offer string) {
	if c.wantedVideo() != media.SendRecv {
		if videoOf(offer).present {
			_ = c.setVideo(ctx, sess, media.Inactive)
		}
		return
	}
	if err := c.setVideo(ctx, sess, media.SendRecv); err != nil {
		_ = c.setVideo(ctx, sess, media.Inactive)
	}
}

// farEndVideo follows a far-end offer before we answer it: video offered
// on an audio call is received (recvonly; our camera stays off and nothing
// is asked of the user), video removed (port 0 or inactive) is dropped. A
// hold offer leaves the video as it is.
func (c *Call) farEndVideo(ctx context.Context, sess media.Session, offer string) {
	if remoteHolds(offer) {
		return
	}
	offered := videoOf(offer).active()
	switch want := c.wantedVideo(); {
	case offered && want == media.Inactive:
		c.log.Infof("the far end adds video; we receive it, our camera stays off")
		_ = c.setVideo(ctx, sess, media.RecvOnly)
	case !offered && want != media.Inactive:
		c.log.Infof("the far end removes video")
		_ = c.setVideo(ctx, sess, media.Inactive)
	}
}

// videoNegotiated records what an offer/answer exchange (ours is local,
// theirs remote; theirAnswer when remote answers our offer) gave the video:
// a far end that rejects the stream (port 0 or no m=video, or an answer
// that makes the video we offered inactive) leaves the call audio only, and
// the camera is stopped. On a connected call a change is reported as
// mediaUpdated once the exchange is over, so that the app may act on it at
// once (AddVideo in answer to the far end's video).
func (c *Call) videoNegotiated(ctx context.Context, local, remote string, theirAnswer bool) {
	theirs, ours := videoOf(remote), videoOf(local)
	declined := theirAnswer && ours.active() && !theirs.active()
	if c.wantedVideo() != media.Inactive && (!theirs.open() || declined) {
		c.log.Infof("the far end does not take video; audio only")
		_ = c.setVideo(ctx, c.Media(), media.Inactive)
	}
	want := c.wantedVideo()
	c.mu.Lock()
	before := [3]bool{c.d.HasVideo, c.d.LocalVideo, c.d.RemoteVideo}
	c.d.HasVideo = want != media.Inactive && ours.open()
	c.d.LocalVideo = c.d.HasVideo && want == media.SendRecv
	c.d.RemoteVideo = c.d.HasVideo && theirs.sends()
	after := [3]bool{c.d.HasVideo, c.d.LocalVideo, c.d.RemoteVideo}
	if before != after && c.state == StateConnected && !c.ended {
		c.videoChanged = true // reported when the exchange is over (exchangeDone)
	}
	c.mu.Unlock()
}

// HasVideo tells whether the call has a video stream (callObj.hasVideo).
func (c *Call) HasVideo() bool { c.mu.Lock(); defer c.mu.Unlock(); return c.d.HasVideo }

// AddVideo turns our camera on by re-INVITE (m=video sendrecv) and waits
// for the outcome: an audio call becomes a video call, a call whose far end
// added video starts sending ours. Refused (the call unchanged, nothing
// sent) on a call that is not connected, while another video change or a
// re-INVITE is in progress, or when our camera is already on.
func (c *Call) AddVideo() error {
	return c.changeVideo(media.SendRecv)
}

// RemoveVideo drops the video stream by re-INVITE (m=video inactive) and
// stops the camera; the call goes on audio only. Refused as AddVideo is, and
// on a call without video.
func (c *Call) RemoveVideo() error {
	return c.changeVideo(media.Inactive)
}

// changeVideo runs AddVideo (SendRecv) or RemoveVideo (Inactive).
func (c *Call) changeVideo(dir media.Direction) error {
	if err := c.claimVideoChange(dir); err != nil {
		return err
	}
	defer func() { c.mu.Lock(); c.videoBusy = false; c.mu.Unlock() }()
	return c.ops.run(func() error { return c.renegotiateVideo(dir) })
}

// claimVideoChange tells why the video cannot change to dir now, or marks
// a change in progress.
func (c *Call) claimVideoChange(dir media.Direction) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	want := c.video
	if want == "" {
		want = media.Inactive
	}
	switch {
	case c.ended:
		return errCallEnded
	case c.state != StateConnected:
		return fmt.Errorf("the video of a call that is %s cannot change", c.state)
	case c.videoBusy:
		return errors.New("a video change is already in progress")
	case c.exchange:
		return errors.New("a re-INVITE is in progress")
	case dir == media.SendRecv && want == media.SendRecv:
		return errors.New("our video is already on")
	case dir == media.Inactive && want == media.Inactive:
		return errors.New("the call has no video")
	}
	c.videoBusy = true
	return nil
}

// renegotiateVideo runs on the call's queue: camera, re-INVITE, and back to
// what it was if the far end refuses.
func (c *Call) renegotiateVideo(dir media.Direction) error {
	c.mu.Lock()
	if c.ended || c.state != StateConnected {
		c.mu.Unlock()
		return errCallEnded
	}
	c.exchange = true
	sess := c.sess
	c.mu.Unlock()
	defer c.exchangeDone()
	ctx, cancel := mediaContext()
	defer cancel()
	prev := c.wantedVideo()
	if err := c.setVideo(ctx, sess, dir); err != nil {
		return err
	}
	if err := c.renegotiate(c.localDirection(), false); err != nil {
		if restoreErr := c.setVideo(ctx, sess, prev); restoreErr != nil {
			c.log.Warnf("could not restore the video: %v", restoreErr)
		}
		return err
	}
	if dir == media.SendRecv && !c.HasVideo() {
		return errors.New("the far end refused video")
	}
	return nil
}

// SetVideoMuted stops (muted) or resumes sending our camera's frames; no
// signalling. The state is kept while the camera is off and across hold.
func (c *Call) SetVideoMuted(muted bool) error {
	c.mu.Lock()
	if c.ended {
		c.mu.Unlock()
		return errCallEnded
	}
	c.d.VideoMuted = muted
	sess := c.sess
	c.mu.Unlock()
	if v := videoSession(sess); v != nil {
		v.SetVideoMuted(muted)
	}
	return nil
}
