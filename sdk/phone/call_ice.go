package phone

import "time"

// iceGrace is how long ICE may stay "disconnected" before the call restarts
// it; browsers often recover by themselves from shorter blips.
var iceGrace = 3 * time.Second

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
	case "disconnected":
		c.iceTimer = time.AfterFunc(iceGrace, func() {
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
