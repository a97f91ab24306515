package phone

import (
	"context"
	"math/rand"
	"time"

	"github.com/webphone/exotelsdk/sdk/clock"
	"github.com/webphone/exotelsdk/sdk/logs"
)

// Failback: after a failover (wsUrls) the phone is on a backup server. It
// probes the first server with a backoff (FailbackBase, doubling up to
// FailbackMax, with jitter) and, once that answers and no call is in
// progress, moves back: the backup is told the binding is gone (an
// un-REGISTER), the new connection registers, and the app sees a
// `connection` "disconnected" for the backup and "connected" for the first.
// A move never happens during a call: the call's dialog lives on the
// connection it started on, through that server.

const (
	defaultFailbackBase = 30 * time.Second
	defaultFailbackMax  = 10 * time.Minute
)

// failbackState is the probe timer of the current backup link.
type failbackState struct {
	timer clock.Timer
	delay time.Duration // the last delay chosen, before jitter
}

// failbackDelays are the base and the cap of the probe backoff; ok is false
// when failback is off (a negative FailbackBase, or a single server).
func (p *Phone) failbackDelays() (base, ceiling time.Duration, ok bool) {
	base, ceiling = p.deps.FailbackBase, p.deps.FailbackMax
	if base < 0 {
		return 0, 0, false
	}
	if base == 0 {
		base = defaultFailbackBase
	}
	if ceiling < base {
		ceiling = max(defaultFailbackMax, base)
	}
	return base, ceiling, true
}

// armFailbackLocked plans the next probe of the first server while l, a
// link to a backup, is current. grow doubles the delay (a failed probe);
// otherwise the last delay is kept, or the first one used once the delay
// is reset (a new backup link, a probe put off by a call). Called with p.mu
// held.
func (p *Phone) armFailbackLocked(l *link, grow bool) {
	p.stopFailbackLocked()
	base, ceiling, ok := p.failbackDelays()
	urls, _ := p.info.WebSocketURLs()
	if !ok || len(urls) < 2 || l.url == urls[0] {
		return
	}
	switch {
	case p.failback.delay == 0:
		p.failback.delay = base
	case grow:
		p.failback.delay = min(p.failback.delay*2, ceiling)
	}
	d := time.Duration(float64(p.failback.delay) * (0.75 + rand.Float64()/2))
	p.failback.timer = p.deps.Clock.AfterFunc(d, func() {
		p.log.Safely("failback", func() { p.tryFailback(l) })
	})
}

// stopFailbackLocked cancels a planned probe.
func (p *Phone) stopFailbackLocked() {
	if p.failback.timer != nil {
		p.failback.timer.Stop()
		p.failback.timer = nil
	}
}

// onBackupLocked is whether l is still the phone's working link.
func (p *Phone) onBackupLocked(l *link) bool {
	return !p.closed && p.wantRegistered && p.link == l && p.conn == connUp
}

// inCall is whether any call exists (ringing, connected, held or ending).
func (p *Phone) inCall() bool { return len(p.calls.all()) > 0 }

// tryFailback probes the first server from the backup link l and moves
// there if it answers and the phone has no call.
func (p *Phone) tryFailback(l *link) {
	urls, _ := p.info.WebSocketURLs()
	primary := urls[0]
	p.mu.Lock()
	p.failback.timer = nil
	if !p.onBackupLocked(l) {
		p.mu.Unlock()
		return
	}
	if p.inCall() {
		// Looked at again soon: the move should follow the call's end.
		p.failback.delay = 0
		p.armFailbackLocked(l, false)
		p.mu.Unlock()
		p.log.Infof("failback to %s waits: a call is in progress", logs.RedactURL(primary))
		return
	}
	p.mu.Unlock()

	nl := newLink(primary)
	ctx, cancel := context.WithTimeout(context.Background(), p.deps.DialWait)
	t, err := p.deps.Dialer.Dial(ctx, primary,
		func(frame []byte) { nl.received(); p.ua.Receive(frame) },
		func(err error) { p.onLinkClosed(nl, err) })
	cancel()
	p.mu.Lock()
	if err != nil {
		if p.onBackupLocked(l) {
			p.armFailbackLocked(l, true)
		}
		p.mu.Unlock()
		p.log.Infof("failback: %s still unreachable (%s)", logs.RedactURL(primary), redactIn(err, primary))
		return
	}
	nl.t = t
	if !p.onBackupLocked(l) || p.inCall() {
		// The phone moved on, or a call started while we dialled.
		if p.onBackupLocked(l) {
			p.armFailbackLocked(l, false)
		}
		p.mu.Unlock()
		nl.end()
		_ = t.Close()
		return
	}
	p.link = nl
	p.retry.next, p.retry.attempt = 0, 0
	p.failback = failbackState{}
	p.mu.Unlock()
	p.moveLink(l, nl)
}

// moveLink replaces the working link old with nl, already open: the old
// server is told the binding is gone, then the phone registers on nl.
func (p *Phone) moveLink(old, nl *link) {
	if p.reg.UnregisterNow() { // written on old, still attached
		p.log.Infof("un-REGISTER sent to %s", logs.RedactURL(old.url))
	}
	old.end()
	p.ua.Detach(old.t)
	_ = old.t.Close()
	p.log.Infof("moved back to %s from %s", logs.RedactURL(nl.url), logs.RedactURL(old.url))
	p.reportConnection(ConnDisconnected, old.url, 0)
	p.reportConnection(ConnConnected, nl.url, 0)
	p.ua.Attach(nl.t)
	select {
	case <-nl.done: // the first server closed it already
		p.onLinkClosed(nl, nil)
		return
	default:
	}
	spawnSafe(p, "keep-alive", func() { p.keepAlive(nl) })
	p.reg.Register()
}
