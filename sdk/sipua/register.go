package sipua

import (
	"errors"
	"fmt"
	"math/rand"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/webphone/exotelsdk/sdk/clock"
	"github.com/webphone/exotelsdk/sdk/logs"
)

// RegEvent is what a Registration reports, named as the app's
// RegisterEventCallBack receives it.
type RegEvent struct {
	Kind   string // "sent_request", "registered", "unregistered", "terminated"
	Reason string // why, for the log: "401 Unauthorized", "no answer from server", …
	// Status is the registrar's final SIP status that ended the attempt, 0
	// when there was none (no answer, no connection).
	Status int
	// Retryable is set on "terminated" and "unregistered" events caused by the
	// connection (timeout, lost transport) rather than by the server's answer.
	Retryable bool
}

// Registration state, as checkClientStatus reports it.
const (
	RegInitial      = "initial"
	RegRegistering  = "registering"
	RegRegistered   = "registered"
	RegUnregistered = "unregistered"
	RegTerminated   = "terminated"
)

// RegistrationConfig tunes a Registration; zero values take the defaults.
type RegistrationConfig struct {
	Expires int           // seconds asked for; default 300
	Timeout time.Duration // wait for a final response; default 10 s
}

// Registration keeps one contact registered (RFC 3261 §10) with digest
// authentication, refreshes it before it expires, honours 423 Interval Too
// Brief, and removes it with Expires: 0.
type Registration struct {
	ua    *UA
	acct  *Account
	id    *Identity
	clock clock.Clock
	log   *logs.Logger
	emit  func(RegEvent)
	cfg   RegistrationConfig
	// jitter returns a number in [0,1) that spreads refreshes (RFC 5626 §4.4.1).
	jitter func() float64
	// flowTimer is the registrar's Flow-Timer of the last 2xx (RFC 5626
	// §4.4.1), 0 when it sent none.
	flowTimer time.Duration

	mu       sync.Mutex
	callID   string
	cseq     uint32
	expires  int
	auth     *Auth
	state    string
	gen      int // bumped to abandon the attempt in flight
	cur      *ClientTransaction
	refresh  clock.Timer // the next refresh, or the next retry after a failure
	failures int         // consecutive failed attempts, for the retry backoff
}

// NewRegistration prepares a registration; nothing is sent until Register.
func NewRegistration(ua *UA, acct *Account, id *Identity, clk clock.Clock, log *logs.Logger, cfg RegistrationConfig, emit func(RegEvent)) *Registration {
	if cfg.Expires <= 0 {
		cfg.Expires = 300
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	return &Registration{
		ua: ua, acct: acct, id: id, clock: clk, log: log, emit: emit, cfg: cfg,
		jitter: rand.Float64,
		callID: NewCallID(), expires: cfg.Expires,
		auth:  NewAuth(acct.Creds),
		state: RegInitial,
	}
}

// State is the current registration state (Reg* constants).
func (r *Registration) State() string { r.mu.Lock(); defer r.mu.Unlock(); return r.state }

// Register starts registering. It does nothing while a registration is already
// in progress or held, so it can be called again safely.
func (r *Registration) Register() {
	r.mu.Lock()
	if r.state == RegRegistering || r.state == RegRegistered {
		r.mu.Unlock()
		return
	}
	r.state = RegRegistering
	r.failures = 0 // the app (or a new connection) asks again: report a failure again
	gen := r.abandonLocked()
	r.mu.Unlock()
	r.emit(RegEvent{Kind: "sent_request"})
	r.start(gen, false)
}

// Unregister removes the contact (Expires: 0) and reports "unregistered" when
// the server confirms, or at once when there is nothing to remove.
func (r *Registration) Unregister() {
	r.mu.Lock()
	held := r.state == RegRegistered || r.state == RegRegistering
	gen := r.abandonLocked()
	if !held || !r.ua.Connected() {
		r.state = RegUnregistered
		r.mu.Unlock()
		r.emit(RegEvent{Kind: "unregistered", Reason: "not registered"})
		return
	}
	r.mu.Unlock()
	r.emit(RegEvent{Kind: "sent_request"})
	r.start(gen, true)
}

// UnregisterNow sends the un-REGISTER (Expires: 0, authorized with the
// cached challenge) before returning and does not wait for the answer: for a
// page that is going away, where nothing will run afterwards. It reports
// whether one was sent.
func (r *Registration) UnregisterNow() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	held := r.state == RegRegistered || r.state == RegRegistering
	r.abandonLocked()
	r.state = RegUnregistered
	if !held {
		return false
	}
	req := r.buildLocked(0)
	if _, err := r.auth.Authorize(req); err != nil {
		return false
	}
	tx, err := r.ua.Request(req)
	if err != nil {
		return false
	}
	r.cur = tx
	return true
}

// ConnectionLost tells the registration its transport is gone: the attempt in
// flight and the refresh are abandoned. It reports whether a registration was
// held or in progress (and so is now lost).
func (r *Registration) ConnectionLost() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	lost := r.state == RegRegistered || r.state == RegRegistering
	r.abandonLocked()
	if lost {
		r.state = RegUnregistered
	}
	return lost
}

// abandonLocked cancels the refresh timer and the attempt in flight and returns
// the generation of the next attempt.
func (r *Registration) abandonLocked() int {
	if r.refresh != nil {
		r.refresh.Stop()
		r.refresh = nil
	}
	if r.cur != nil {
		r.cur.Terminate()
		r.cur = nil
	}
	r.gen++
	return r.gen
}

// start runs one attempt on its own goroutine. An internal error (a panic)
// in it is logged and counts as a failed attempt, retried later.
func (r *Registration) start(gen int, unregister bool) {
	r.log.Go("registration", func() {
		if !r.log.Safely("registration attempt", func() { r.run(gen, unregister) }) {
			r.failed(gen, unregister, 0, "internal error", 0)
		}
	})
}

// run sends REGISTER (or un-REGISTER) until the server gives a final answer
// that ends the attempt, answering challenges and 423 on the way.
func (r *Registration) run(gen int, unregister bool) {
	answeredFresh := false
	for tries := 0; tries < 6; tries++ {
		res, err := r.transact(gen, unregister)
		switch {
		case errors.Is(err, errAbandoned):
			return
		case errors.Is(err, errCannotAuthorize):
			r.forgetChallenge()
			r.failed(gen, unregister, 0, err.Error(), 0)
			return
		case err != nil:
			r.finish(gen, unregister, RegEvent{Reason: err.Error(), Retryable: true})
			return
		}
		switch {
		case res.IsSuccess():
			r.succeeded(gen, unregister, res)
			return
		case res.StatusCode == 401 || res.StatusCode == 407:
			r.mu.Lock()
			err := r.auth.Challenged(res, answeredFresh)
			r.mu.Unlock()
			reason := fmt.Sprintf("%d %s: %v", res.StatusCode, res.Reason, err)
			if errors.Is(err, ErrBadCredentials) {
				r.finish(gen, unregister, RegEvent{Reason: reason, Status: res.StatusCode})
				return
			}
			if err != nil { // a challenge we cannot answer: the server may change
				r.failed(gen, unregister, res.StatusCode, reason, 0)
				return
			}
			answeredFresh = true
		case res.StatusCode == 423 && !unregister:
			if !r.raiseExpires(res) {
				r.finish(gen, unregister, RegEvent{Reason: "423 without a usable Min-Expires", Status: 423})
				return
			}
		case serverTrouble(res.StatusCode):
			r.failed(gen, unregister, res.StatusCode, fmt.Sprintf("%d %s", res.StatusCode, res.Reason), retryAfter(res))
			return
		default:
			r.finish(gen, unregister, RegEvent{Reason: fmt.Sprintf("%d %s", res.StatusCode, res.Reason), Status: res.StatusCode})
			return
		}
	}
	r.failed(gen, unregister, 0, "too many challenges", 0)
}

var (
	errAbandoned       = errors.New("registration attempt abandoned")
	errCannotAuthorize = errors.New("cannot answer the server's challenge")
)

// transact sends one REGISTER and waits for its final response.
func (r *Registration) transact(gen int, unregister bool) (*sip.Response, error) {
	tx, err := r.send(gen, unregister)
	if err != nil {
		return nil, err
	}
	timeout := make(chan struct{})
	t := r.clock.AfterFunc(r.cfg.Timeout, func() { close(timeout) })
	defer t.Stop()
	for {
		select {
		case res, ok := <-tx.Responses():
			if !ok {
				if r.abandoned(gen) {
					return nil, errAbandoned
				}
				return nil, fmt.Errorf("no answer from server: %v", tx.Err())
			}
			if res.StatusCode >= 200 {
				if r.abandoned(gen) {
					return nil, errAbandoned
				}
				return res, nil
			}
		case <-timeout:
			tx.Terminate()
			if r.abandoned(gen) {
				return nil, errAbandoned
			}
			return nil, errors.New("no answer from server")
		}
	}
}

// send builds, authorizes and sends one REGISTER of attempt gen. The lock is
// released by defer: a panic in the transport must not leave it held.
func (r *Registration) send(gen int, unregister bool) (*ClientTransaction, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.gen != gen {
		return nil, errAbandoned
	}
	expires := r.expires
	if unregister {
		expires = 0
	}
	req := r.buildLocked(expires)
	if _, err := r.auth.Authorize(req); err != nil {
		return nil, fmt.Errorf("%w: %v", errCannotAuthorize, err)
	}
	tx, err := r.ua.Request(req)
	if err != nil {
		return nil, fmt.Errorf("could not send REGISTER: %w", err)
	}
	r.cur = tx
	return tx, nil
}

func (r *Registration) abandoned(gen int) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.gen != gen
}

func (r *Registration) buildLocked(expires int) *sip.Request {
	r.cseq++
	req := sip.NewRequest(sip.REGISTER, r.acct.Registrar)
	req.AppendHeader(r.id.Via(r.acct.Secure))
	mf := sip.MaxForwardsHeader(70)
	req.AppendHeader(&mf)
	from := &sip.FromHeader{DisplayName: r.acct.DisplayName, Address: r.acct.AOR, Params: sip.NewParams()}
	from.Params.Add("tag", NewTag())
	req.AppendHeader(from)
	req.AppendHeader(&sip.ToHeader{DisplayName: r.acct.DisplayName, Address: r.acct.AOR, Params: sip.NewParams()})
	callID := sip.CallIDHeader(r.callID)
	req.AppendHeader(&callID)
	req.AppendHeader(&sip.CSeqHeader{SeqNo: r.cseq, MethodName: sip.REGISTER})
	req.AppendHeader(r.id.Contact(expires, true))
	exp := sip.ExpiresHeader(expires)
	req.AppendHeader(&exp)
	req.AppendHeader(sip.NewHeader("Allow", Allowed))
	req.AppendHeader(sip.NewHeader("Supported", "path, gruu, outbound"))
	if r.acct.UserAgent != "" {
		req.AppendHeader(sip.NewHeader("User-Agent", r.acct.UserAgent))
	}
	req.SetBody(nil)
	return req
}

func (r *Registration) succeeded(gen int, unregister bool, res *sip.Response) {
	if unregister {
		r.finish(gen, true, RegEvent{Kind: "unregistered", Reason: "unregistered by request"})
		return
	}
	r.mu.Lock()
	if r.gen != gen {
		r.mu.Unlock()
		return
	}
	granted := r.grantedExpires(res)
	r.flowTimer = flowTimerOf(res)
	was := r.state
	r.state = RegRegistered
	r.cur = nil
	r.failures = 0
	delay := refreshDelay(granted, r.jitter())
	r.refresh = r.clock.AfterFunc(delay, func() {
		r.log.Safely("registration refresh", func() { r.refreshNow(gen) })
	})
	r.mu.Unlock()
	r.log.Infof("registered for %d s; refreshing in %s", granted, delay.Round(time.Second))
	if was != RegRegistered {
		r.emit(RegEvent{Kind: "registered"})
	}
}

// finish ends an attempt that did not register: unregistered after an
// un-REGISTER, terminated otherwise.
func (r *Registration) finish(gen int, unregister bool, ev RegEvent) {
	r.mu.Lock()
	if r.gen != gen {
		r.mu.Unlock()
		return
	}
	r.abandonLocked()
	if unregister {
		ev.Kind = "unregistered"
		r.state = RegUnregistered
	} else if ev.Kind == "" {
		ev.Kind = "terminated"
		r.state = RegTerminated
	}
	r.mu.Unlock()
	if ev.Kind == "terminated" {
		r.log.Warnf("registration failed: %s", ev.Reason)
	}
	r.emit(ev)
}
