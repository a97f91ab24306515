package phone

import (
	"errors"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/webphone/exotelsdk/sdk/clock"
	"github.com/webphone/exotelsdk/sdk/logs"
	"github.com/webphone/exotelsdk/sdk/media"
	"github.com/webphone/exotelsdk/sdk/sipua"
)

// Connection states of the WebSocket.
const (
	connIdle       = "idle"       // never opened, or closed on purpose
	connConnecting = "connecting" // opening
	connUp         = "connected"
	connFailed     = "failed" // the last attempt to open it failed
	connLost       = "lost"   // it closed without being asked to
)

// Phone is one SIP account: its connection, registration and calls.
type Phone struct {
	info     AccountInfo
	deps     Deps
	log      *logs.Logger
	listener Listener
	events   *eventQueue
	ua       *sipua.UA
	id       sipua.Identity
	acct     sipua.Account
	reg      *sipua.Registration

	mu             sync.Mutex
	conn           string
	link           *link // the current connection, nil when there is none
	wantRegistered bool
	closed         bool
	calls          *callSet
	conf           *conference // the local conference of some of the calls
	retry          reconnectState
	failback       failbackState // probing the first server from a backup

	limits callLimits // maxCalls, noAnswerTimeout, sessionExpires, from the account
	tones  *callTones
}

// New validates the account and prepares a phone; nothing is sent until Register.
func New(info AccountInfo, deps Deps, listener Listener) (*Phone, error) {
	if err := info.Validate(); err != nil {
		return nil, err
	}
	if deps.Dialer == nil || deps.Log == nil || listener == nil {
		return nil, errors.New("phone: Dialer, Log and Listener are required")
	}
	if deps.Clock == nil {
		deps.Clock = clock.System{}
	}
	if deps.DialWait <= 0 {
		deps.DialWait = 10 * time.Second
	}
	if deps.KeepAlive == 0 {
		deps.KeepAlive = 25 * time.Second
	}
	if deps.PongTimeout <= 0 {
		deps.PongTimeout = 10 * time.Second
	}
	id, ok := sipua.NewIdentityWithInstance(deps.InstanceID)
	if deps.InstanceID != "" && !ok {
		deps.Log.Warnf("instance id %q is not a UUID: using a fresh one", deps.InstanceID)
	}
	p := &Phone{
		info: info, deps: deps, log: deps.Log, listener: listener,
		events: newEventQueue(),
		id:     id,
		acct:   info.sipAccount(deps.UserAgent),
		conn:   connIdle,
		retry:  reconnectState{online: true},
	}
	p.ua = sipua.NewUA(p.log.With("sip"))
	p.reg = sipua.NewRegistration(p.ua, &p.acct, &p.id, deps.Clock, p.log.With("register"),
		sipua.RegistrationConfig{Timeout: deps.RegisterTimeout}, p.onRegEvent)
	p.calls = newCallSet(p)
	p.conf = &conference{p: p}
	p.tones = newCallTones(deps.Tones)
	p.limits = info.callLimits(p.log)
	p.ua.OnRequest(p.onRequest)
	p.ua.OnStrayResponse(p.onStrayResponse)
	p.log.Infof("account %s", info)
	return p, nil
}

// WebSocketURLs are the servers this phone connects to, in order.
func (p *Phone) WebSocketURLs() []string {
	urls, _ := p.info.WebSocketURLs()
	return urls
}

// UserName is the app's key for this phone.
func (p *Phone) UserName() string { return p.info.UserName }

// Register connects if needed and registers. It returns false only when the
// phone has been closed; while connecting, reconnecting or registering it does
// nothing more.
func (p *Phone) Register() bool {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return false
	}
	p.wantRegistered = true
	switch {
	case p.conn == connUp:
		p.mu.Unlock()
		p.reg.Register()
		return true
	case p.conn == connConnecting || p.retry.timer != nil:
		p.mu.Unlock()
		return true
	}
	p.conn = connConnecting
	p.mu.Unlock()
	spawnSafe(p, "connect", p.connect)
	return true
}

// Unregister removes the registration (Expires: 0) and then closes the
// connection; "unregistered" follows in every case.
func (p *Phone) Unregister() {
	p.mu.Lock()
	p.wantRegistered = false
	p.stopReconnectLocked()
	up := p.conn == connUp
	p.mu.Unlock()
	if up {
		p.reg.Unregister() // its "unregistered" event closes the connection
		return
	}
	p.reg.ConnectionLost()
	p.disconnect()
	p.post(func() { p.listener.RegisterEvent("unregistered") })
}

// onRegEvent forwards registration events to the app and closes the connection
// once an asked-for un-registration is done.
func (p *Phone) onRegEvent(ev sipua.RegEvent) {
	if ev.Kind == "unregistered" {
		p.mu.Lock()
		want := p.wantRegistered
		p.mu.Unlock()
		if !want {
			p.disconnect()
		}
	}
	if ev.Kind == "registered" {
		p.linkRegistered()
	}
	if ev.Reason != "" {
		p.log.Infof("registration %s: %s", ev.Kind, ev.Reason)
	}
	if ev.Kind == "terminated" {
		p.reportTerminated(registerFailure(ev))
	} else {
		p.post(func() { p.listener.RegisterEvent(ev.Kind) })
	}
	if ev.Retryable && ev.Kind == "terminated" {
		// The registrar did not answer (a refresh or a first REGISTER timed
		// out): the connection is presumed dead and is replaced.
		p.mu.Lock()
		l := p.link
		p.mu.Unlock()
		if l != nil {
			p.linkDead(l, "registration got no answer")
		}
	}
}

// Close ends calls, un-registers if possible, closes the connection and stops
// the phone for good.
func (p *Phone) Close() {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.closed = true
	p.wantRegistered = false
	p.stopReconnectLocked()
	p.mu.Unlock()
	p.calls.closeAll()
	p.reg.ConnectionLost()
	p.disconnect()
	p.ua.Close()
	p.events.close()
}

// Shutdown is for a page that is going away (pagehide): calls are ended
// (BYE, CANCEL or 486) and the registration removed, each message written
// before Shutdown returns since nothing may run afterwards, and the phone is
// closed.
func (p *Phone) Shutdown() {
	p.mu.Lock()
	up := p.conn == connUp
	p.mu.Unlock()
	p.calls.closeAll()
	if up && p.reg.UnregisterNow() {
		p.log.Infof("page closing: un-REGISTER sent")
	}
	p.Close()
}

// post queues a listener call.
func (p *Phone) post(f func()) {
	p.events.post(func() { p.log.Safely("event listener", f) })
}

func (p *Phone) onStrayResponse(res *sip.Response) { p.calls.strayResponse(res) }

// spawnSafe runs f on its own goroutine; a panic is logged instead of stopping
// the runtime (the one guard, logs.Logger.Safely).
func spawnSafe(p *Phone, name string, f func()) { p.log.Go(name, f) }

// safely runs f, logging a panic instead of letting it stop the runtime (in
// wasm a panic on any goroutine or timer ends the page's SDK).
func safely(p *Phone, name string, f func()) { p.log.Safely(name, f) }

// newAuth answers digest challenges for one request series with the account's credentials.
func (p *Phone) newAuth() *sipua.Auth { return sipua.NewAuth(p.acct.Creds) }

// SetDTMFMode changes how sendDTMF sends digits from now on.
func (p *Phone) SetDTMFMode(mode media.DTMFMode) {
	p.mu.Lock()
	p.deps.DTMFMode = mode
	p.mu.Unlock()
}

func (p *Phone) dtmfMode() media.DTMFMode {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.deps.DTMFMode
}
