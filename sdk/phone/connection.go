package phone

import (
	"context"
	"math/rand"
	"strings"
	"sync"
	"time"

	"github.com/webphone/exotelsdk/sdk/clock"
	"github.com/webphone/exotelsdk/sdk/logs"
	"github.com/webphone/exotelsdk/sdk/sipua"
)

// link is one open connection to the SIP server and its keep-alive.
type link struct {
	t     sipua.Transport
	url   string
	once  sync.Once
	done  chan struct{} // closed when the link is over, for whatever reason
	heard chan struct{} // signalled (never blocking) on every frame received
	// registeredAt is when the registration first succeeded on this link
	// (zero before); guarded by Phone.mu.
	registeredAt time.Time
	// closeErr is why the server closed the link, kept when that happened
	// before connect() attached it, for the log line; guarded by Phone.mu.
	closeErr error
}

func newLink(url string) *link {
	return &link{url: url, done: make(chan struct{}), heard: make(chan struct{}, 1)}
}

func (l *link) end() bool {
	ended := false
	l.once.Do(func() { close(l.done); ended = true })
	return ended
}

// received notes a frame from the server, for the keep-alive.
func (l *link) received() {
	select {
	case l.heard <- struct{}{}:
	default:
	}
}

// redactIn is err's text with the server URL in it redacted (the Dialer's
// errors name the URL they failed on).
func redactIn(err error, url string) string {
	if err == nil {
		return "<nil>"
	}
	return strings.ReplaceAll(err.Error(), url, logs.RedactURL(url))
}

// stableLink is how long a link must stay registered before a drop counts as
// a new outage: only then does the reconnect backoff start again from its
// first, short delay. A server that accepts the WebSocket and drops it at
// once (or never registers us) is dialled with a growing backoff.
const stableLink = 30 * time.Second

// reconnectState is the phone's reconnect policy: exponential backoff with
// jitter, paused while the browser is offline.
type reconnectState struct {
	attempt  int
	timer    clock.Timer
	online   bool
	reported bool // "terminated" was reported for this outage
	next     int  // index of the server URL to try first
	dials    int  // opening attempts since the last connection
}

// connect opens the WebSocket to the first server that answers, in the
// order given (failing over to the next), then registers.
func (p *Phone) connect() {
	urls, _ := p.info.WebSocketURLs()
	p.mu.Lock()
	start := p.retry.next % len(urls)
	p.mu.Unlock()
	for i := range urls {
		url := urls[(start+i)%len(urls)]
		l := newLink(url)
		p.mu.Lock()
		p.retry.dials++
		attempt := p.retry.dials
		p.mu.Unlock()
		p.reportConnection(ConnConnecting, url, attempt)
		ctx, cancel := context.WithTimeout(context.Background(), p.deps.DialWait)
		t, err := p.deps.Dialer.Dial(ctx, url,
			func(frame []byte) { l.received(); p.ua.Receive(frame) },
			func(err error) { p.onLinkClosed(l, err) })
		cancel()
		if err != nil {
			p.log.Warnf("could not connect to %s: %s", logs.RedactURL(url), redactIn(err, url))
			p.reportConnection(ConnFailed, url, attempt)
			continue
		}
		l.t = t
		p.mu.Lock()
		if p.closed || !p.wantRegistered {
			p.conn = connIdle
			p.mu.Unlock()
			l.end()
			_ = t.Close()
			p.reportConnection(ConnDisconnected, url, 0)
			return
		}
		p.link = l
		p.conn = connUp
		p.retry.next = (start + i) % len(urls)
		p.retry.dials = 0
		p.failback = failbackState{}
		p.armFailbackLocked(l, false)
		p.mu.Unlock()
		p.log.Infof("connected to %s", logs.RedactURL(url))
		p.reportConnection(ConnConnected, url, attempt)
		p.ua.Attach(t)
		select {
		case <-l.done: // closed while we were setting up
			p.onLinkClosed(l, nil)
			return
		default:
		}
		spawnSafe(p, "keep-alive", func() { p.keepAlive(l) })
		p.reg.Register()
		p.calls.reconnected()
		return
	}
	p.mu.Lock()
	p.conn = connFailed
	report := !p.retry.reported
	p.retry.reported = true
	p.retry.next = start + 1
	p.mu.Unlock()
	if report {
		p.reportTerminated(RegisterFailure{Reason: ReasonWSUnreachable,
			Message: "could not connect to " + strings.Join(urls, ", ")})
	}
	p.scheduleReconnect()
}

// onLinkClosed runs when a connection ends without us closing it.
func (p *Phone) onLinkClosed(l *link, err error) {
	l.end()
	p.mu.Lock()
	if err != nil && l.closeErr == nil {
		l.closeErr = err
	}
	err = l.closeErr
	current := p.link == l
	if current {
		p.link = nil
		p.conn = connLost
		p.stopFailbackLocked()
		if !l.registeredAt.IsZero() && p.deps.Clock.Now().Sub(l.registeredAt) >= stableLink {
			p.retry.attempt = 0 // it was up long enough: a new outage
		}
	}
	p.mu.Unlock()
	if !current || l.t == nil {
		return // not attached yet: connect() notices through l.done
	}
	p.log.Warnf("connection to %s lost: %s", logs.RedactURL(l.url), redactIn(err, l.url))
	p.reportConnection(ConnDisconnected, l.url, 0)
	p.ua.Detach(l.t)
	p.calls.connectionLost()
	if p.reg.ConnectionLost() {
		p.post(func() { p.listener.RegisterEvent("unregistered") })
	}
	p.scheduleReconnect()
}

// linkDead closes a connection that stopped answering and reconnects.
func (p *Phone) linkDead(l *link, why string) {
	p.log.Warnf("connection to %s is dead (%s); reconnecting", logs.RedactURL(l.url), why)
	if l.t != nil {
		_ = l.t.Close()
	}
	p.onLinkClosed(l, nil)
}

// disconnect closes the connection on purpose; no reconnect follows.
func (p *Phone) disconnect() {
	p.mu.Lock()
	l := p.link
	p.link = nil
	p.conn = connIdle
	p.stopReconnectLocked()
	p.stopFailbackLocked()
	p.mu.Unlock()
	if l != nil {
		l.end()
		p.ua.Detach(l.t)
		_ = l.t.Close()
		p.reportConnection(ConnDisconnected, l.url, 0)
	}
}

// scheduleReconnect plans the next attempt if the user still wants to be
// registered and the browser is online: the first within a second, then
// doubling up to ReconnectMax, each with ±25% jitter.
func (p *Phone) scheduleReconnect() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed || !p.wantRegistered || !p.retry.online || p.retry.timer != nil || p.conn == connUp || p.conn == connConnecting {
		return
	}
	base, max := p.deps.ReconnectBase, p.deps.ReconnectMax
	if base <= 0 {
		base = 500 * time.Millisecond
	}
	if max <= 0 {
		max = 30 * time.Second
	}
	d := base << min(p.retry.attempt, 16)
	if d > max || d <= 0 {
		d = max
	}
	d = time.Duration(float64(d) * (0.75 + rand.Float64()/2))
	p.retry.attempt++
	p.log.Infof("reconnecting in %s (attempt %d)", d.Round(time.Millisecond), p.retry.attempt)
	p.retry.timer = p.deps.Clock.AfterFunc(d, func() { p.log.Safely("reconnect", p.reconnectNow) })
}

// linkRegistered notes that the registration succeeded on the current link:
// the outage, if any, is over for reporting, and the link's stability is
// measured from now.
func (p *Phone) linkRegistered() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.retry.reported = false
	if p.link != nil && p.link.registeredAt.IsZero() {
		p.link.registeredAt = p.deps.Clock.Now()
	}
}

func (p *Phone) reconnectNow() {
	p.mu.Lock()
	p.retry.timer = nil
	if p.closed || !p.wantRegistered || !p.retry.online || p.conn == connUp || p.conn == connConnecting {
		p.mu.Unlock()
		return
	}
	p.conn = connConnecting
	p.mu.Unlock()
	p.connect()
}

func (p *Phone) stopReconnectLocked() {
	if p.retry.timer != nil {
		p.retry.timer.Stop()
		p.retry.timer = nil
	}
}

// NetworkChanged tells the phone the browser went offline or online. Offline
// pauses reconnecting; online reconnects at once and restarts the media of
// calls in progress, whose network path may have changed.
func (p *Phone) NetworkChanged(online bool) {
	p.mu.Lock()
	was := p.retry.online
	p.retry.online = online
	if !online {
		p.stopReconnectLocked()
		p.mu.Unlock()
		p.log.Infof("the browser is offline; reconnecting paused")
		return
	}
	p.retry.attempt = 0
	reconnect := p.wantRegistered && p.conn != connUp && p.conn != connConnecting && !p.closed
	l := p.link
	p.stopReconnectLocked()
	if reconnect {
		p.conn = connConnecting
	}
	p.mu.Unlock()
	if was {
		return
	}
	p.log.Infof("the browser is back online")
	if reconnect {
		spawnSafe(p, "connect", p.connect)
	} else if l != nil {
		spawnSafe(p, "probe", func() { p.probe(l) }) // the old connection may be dead
	}
	p.calls.networkChanged()
}

// keepAlive pings the server (RFC 5626 §4.4.1 CRLF) every KeepAlive while
// the link lives and declares it dead when nothing comes back within
// PongTimeout. Both are timed on the phone's clock.
func (p *Phone) keepAlive(l *link) {
	if p.deps.KeepAlive < 0 {
		return
	}
	for {
		tick, t := p.after(p.keepAliveInterval())
		select {
		case <-l.done:
			t.Stop()
			return
		case <-tick:
		}
		if !p.probe(l) {
			return
		}
	}
}

// keepAliveInterval is KeepAlive, or sooner when the registrar's Flow-Timer
// asks for it: between 80 % and 100 % of that (RFC 5626 §4.4.1).
func (p *Phone) keepAliveInterval() time.Duration {
	d := p.deps.KeepAlive
	if flow := p.reg.FlowTimer(); flow > 0 {
		if f := time.Duration(float64(flow) * (0.8 + 0.2*rand.Float64())); f < d {
			d = f
		}
	}
	return d
}

// probe sends one ping and waits for any frame; false means the link is dead.
func (p *Phone) probe(l *link) bool {
	select { // forget frames heard before the ping
	case <-l.heard:
	default:
	}
	if err := p.ua.SendPing(); err != nil {
		p.linkDead(l, "ping failed: "+err.Error())
		return false
	}
	deadline, t := p.after(p.deps.PongTimeout)
	defer t.Stop()
	select {
	case <-l.done:
		return false
	case <-l.heard:
		return true
	case <-deadline:
		p.linkDead(l, "no pong within "+p.deps.PongTimeout.String())
		return false
	}
}

// after returns a channel closed once d has passed on the phone's clock, and
// the timer, to stop it early.
func (p *Phone) after(d time.Duration) (<-chan struct{}, clock.Timer) {
	ch := make(chan struct{})
	return ch, p.deps.Clock.AfterFunc(d, func() { close(ch) })
}
