package phone

import (
	"fmt"
	"time"
)

// iceGrace is how long ICE may stay "disconnected" before the call restarts
// it; browsers often recover by themselves from shorter blips.
var iceGrace = 3 * time.Second

// mediaStartTimeout is how long a connected call may go without its media
// ever connecting before it is ended as media-failed: an answer whose
// addresses cannot be reached (c=0.0.0.0, no candidates) must not leave a
// call that looks up and carries nothing.
var mediaStartTimeout = 20 * time.Second

// watchMediaStart starts that wait when the call connects (on the phone's
// clock); ICE connecting stops it.
func (c *Call) watchMediaStart() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.mediaUp || c.ended || c.mediaWatch != nil {
		return
	}
	c.mediaWatch = c.p.deps.Clock.AfterFunc(mediaStartTimeout, func() {
		safely(c.p, "media start", c.mediaNeverStarted)
	})
}

func (c *Call) mediaNeverStarted() {
	c.mu.Lock()
	up, ended := c.mediaUp, c.ended
	c.mediaWatch = nil
	c.mu.Unlock()
	if up || ended {
		return
	}
	why := fmt.Sprintf("no media: the audio path (ICE) did not connect within %s of the answer", mediaStartTimeout)
	c.log.Errorf("call %s: %s; hanging up", c.d.CallID, why)
	c.sendBye()
	c.end(StateCallEnded, CauseMediaFailed, 0, why)
}

// onMediaState follows the ICE connection state of the call's media: a
// failure, or a disconnection that lasts, restarts ICE by re-INVITE.
func (c *Call) onMediaState(state string) {
	c.mu.Lock()
	c.d.MediaState = state
	if c.iceTimer != nil {
		c.iceTimer.Stop()
		c.iceTimer = nil
	}
	switch state {
	case "connected", "completed":
		c.mediaUp = true
		if c.mediaWatch != nil {
			c.mediaWatch.Stop()
			c.mediaWatch = nil
		}
	case "disconnected":
		c.iceTimer = c.p.deps.Clock.AfterFunc(iceGrace, func() {
			safely(c.p, "ICE restart", func() { c.restartICE("media disconnected for " + iceGrace.String()) })
		})
	case "failed":
		defer spawnSafe(c.p, "ICE restart", func() { c.restartICE("media failed") })
	}
	c.mu.Unlock()
	c.log.Infof("media %s", state)
}

// restartICE renegotiates the call with fresh ICE credentials (RFC 8839 §4.4.1.1.1)
// so the browser gathers and checks new candidate pairs, then reports it in
// the log and in callDetails().iceRestarts.
func (c *Call) restartICE(why string) {
	c.ops.do(func() {
		c.mu.Lock()
		if c.ended || c.state != StateConnected || c.exchange || c.sess == nil {
			c.mu.Unlock()
			return
		}
		c.exchange = true
		c.mu.Unlock()
		defer c.exchangeDone()
		c.log.Warnf("restarting ICE: %s", why)
		if err := c.renegotiate(c.localDirection(), true); err != nil {
			c.log.Errorf("ICE restart failed: %v", err)
			return
		}
		c.mu.Lock()
		c.d.ICERestarts++
		c.mu.Unlock()
		c.log.Infof("ICE restarted")
	})
}
