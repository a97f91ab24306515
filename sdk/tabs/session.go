// Package tabs coordinates the browser tabs of one origin that run the same
// account (the SDK's SessionListener): exactly one tab, the leader, registers
// and holds the calls; the others, followers, see its registration state and
// call events and may act on its call through it. The leader is the tab that
// holds an exclusive lock named after the account; when it closes or crashes
// the browser hands the lock to the next tab, which registers by itself.
//
// The package is pure Go: the browser gives it a Bus (BroadcastChannel) and
// a Lock (Web Locks), and a Host (the tab's phone and the app's callbacks).
package tabs

import (
	"errors"
	"fmt"
	"github.com/webphone/exotelsdk/sdk/clock"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/webphone/exotelsdk/sdk/logs"
)

// Bus carries messages between the tabs of an origin. Post reaches every
// other tab (never the sender, as BroadcastChannel does); OnMessage sets the
// handler for what the others post. Messages from one tab arrive in order.
type Bus interface {
	Post(msg []byte)
	OnMessage(handler func(msg []byte))
}

// Lock is an exclusive lock shared by the tabs of an origin and released by
// the browser when the tab that holds it goes away.
type Lock interface {
	// Acquire asks for the lock called name. If another tab holds it, busy
	// is called and the request waits; acquired is called once this tab
	// holds it. The returned release gives the lock back or withdraws the
	// waiting request; after it returns neither callback is called (a grant
	// that races with it is given back at once).
	Acquire(name string, busy, acquired func()) (release func())
}

// Host is the tab's side of a Session: its phone and the app's callbacks.
// Its methods are called one at a time for incoming messages and must not
// block, except Execute, which runs on a goroutine of its own.
type Host interface {
	// Register makes this tab's phone register: it leads from now on.
	Register()
	// Status is this tab's checkClientStatus, told to followers.
	Status() string
	// Calls are this tab's calls not yet ended, oldest first.
	Calls() []CallSnapshot
	// Execute applies a follower's command to this tab's call and returns
	// the call afterwards. It may block (a hold waits for the re-INVITE).
	Execute(cmd Command) (*CallSnapshot, error)
	// SessionEvent is the app's SessionCallback: incoming, connected,
	// callEnded for the leader's calls, re-register on a takeover.
	SessionEvent(state string)
	// RegisterEvent mirrors the leader's registration to the app's
	// RegisterEventCallBack: registered, unregistered, terminated.
	RegisterEvent(state string)
	// RemoteCallChanged tells that one of the leader's calls, as this
	// follower sees it, has changed; an ended call is told once, ended.
	RemoteCallChanged(call *CallSnapshot)
}

// Config is a Session's fixed setup.
type Config struct {
	Account string       // the userName: lock name and message filter
	TabID   string       // this tab's id on the bus; default random
	Bus     Bus          // required
	Lock    Lock         // required
	Log     *logs.Logger // required
	// CommandTimeout bounds the wait for the leader's result; default 15 s
	// (a hold's re-INVITE may take several seconds).
	CommandTimeout time.Duration
	// LogoutGrace is how long a leader that logs out keeps the lock after
	// telling the others, so that they withdraw before it is free; default 500 ms.
	LogoutGrace time.Duration
	// Clock times the command timeouts and the logout grace; default the
	// system clock.
	Clock clock.Clock
}

type role int

const (
	roleOff      role = iota // not in the group (never started, left, or logged out)
	roleFollower             // waiting for the lock; another tab leads or may
	roleLeader               // holds the lock and registers
)

func (r role) String() string { return [...]string{"off", "follower", "leader"}[r] }

// Errors a forwarded command can fail with before reaching the leader.
var (
	ErrNotFollower = errors.New("this tab is not following a leader tab")
	ErrNoCall      = errors.New("the leader tab has no such call")
	ErrWhichCall   = errors.New("the leader tab has several calls: name the callId")
	ErrLeaderGone  = errors.New("the leader tab went away")
	ErrTimeout     = errors.New("the leader tab did not answer")
)

// Session is one account's membership in the group of tabs.
type Session struct {
	cfg  Config
	host Host
	log  *logs.Logger

	// snapshotMu makes "read the host's calls, then post them" one step
	// against call events: a state built before a call event is never
	// delivered after it (which would make followers drop that call).
	snapshotMu sync.Mutex

	mu      sync.Mutex
	role    role
	closed  bool
	epoch   int          // counts Starts: lock callbacks of an earlier one are stale
	release func()       // gives back the current lock request
	waited  bool         // the lock was busy: another tab led before this one
	rejoin  bool         // off because the leader logged out: follow the next leader
	leader  string       // tab id of the leader, "" when unknown
	status  string       // the leader's checkClientStatus, as last told
	reg     string       // the registration state last mirrored to the app
	follow  followerView // the leader's calls as this tab sees them
	token   string       // leader: what commands must carry; follower: what the leader handed out
	pending map[string]*pendingCommand
	seq     int
	// logoutHold is the lock a leader keeps for LogoutGrace after logging out.
	logoutHold *logoutHold
}

// logoutHold is a lock given back after a delay.
type logoutHold struct {
	timer   clock.Timer
	release func()
}

// New makes a session for one account; nothing happens until Start.
func New(cfg Config, host Host) (*Session, error) {
	if cfg.Account == "" || cfg.Bus == nil || cfg.Lock == nil || cfg.Log == nil || host == nil {
		return nil, errors.New("tabs: Account, Bus, Lock, Log and a Host are required")
	}
	if cfg.TabID == "" {
		cfg.TabID = fmt.Sprintf("%016x", rand.Uint64())
	}
	if cfg.CommandTimeout <= 0 {
		cfg.CommandTimeout = 15 * time.Second
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.System{}
	}
	if cfg.LogoutGrace <= 0 {
		cfg.LogoutGrace = 500 * time.Millisecond
	}
	s := &Session{cfg: cfg, host: host, log: cfg.Log, pending: map[string]*pendingCommand{}}
	s.follow.host = host
	cfg.Bus.OnMessage(s.receive)
	return s, nil
}

// LockName is the Web Lock that elects the leader of an account.
func LockName(account string) string { return "exotelsdk:" + account }

// TabID is this tab's id on the bus.
func (s *Session) TabID() string { return s.cfg.TabID }

// Role is "off", "follower" or "leader".
func (s *Session) Role() string { s.mu.Lock(); defer s.mu.Unlock(); return s.role.String() }

// Leader reports whether this tab leads (and so registers).
func (s *Session) Leader() bool { s.mu.Lock(); defer s.mu.Unlock(); return s.role == roleLeader }

// Start joins the group (DoRegister): the tab asks for the lock and follows
// the leader until it gets it, then registers. Starting again while leading
// registers again (a retry after "terminated"); while following it does nothing.
func (s *Session) Start() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	if s.role == roleLeader {
		s.mu.Unlock()
		s.host.Register()
		return
	}
	if s.role == roleFollower {
		s.mu.Unlock()
		return
	}
	if h := s.logoutHold; h != nil && h.timer.Stop() {
		// Logging in again while still holding the lock after a logout:
		// lead on with it (asking again would wait behind itself).
		s.logoutHold, s.release = nil, h.release
		s.role, s.rejoin, s.leader, s.status, s.reg = roleLeader, false, s.cfg.TabID, "", ""
		s.token = newToken()
		s.epoch++
		s.mu.Unlock()
		s.postSnapshot(message{Type: msgLeader})
		s.host.Register()
		return
	}
	s.logoutHold = nil
	s.role, s.rejoin, s.waited = roleFollower, false, false
	s.status, s.reg = "", ""
	s.epoch++
	epoch := s.epoch
	s.mu.Unlock()

	s.log.Infof("joining the tabs of %s as tab %s", s.cfg.Account, s.cfg.TabID)
	s.post(message{Type: msgHello})
	release := s.cfg.Lock.Acquire(LockName(s.cfg.Account),
		func() { s.onBusy(epoch) }, func() { s.onAcquired(epoch) })
	s.mu.Lock()
	if s.epoch == epoch && s.role != roleOff {
		s.release = release
		s.mu.Unlock()
		return
	}
	s.mu.Unlock()
	release() // stopped while asking
}

func (s *Session) onBusy(epoch int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.epoch == epoch && s.role == roleFollower {
		s.waited = true
	}
}

// onAcquired: this tab leads now. A tab that waited for the lock took over
// from a leader that went away: the app hears re-register, and the leader's
// call, which died with its tab, ends here too.
func (s *Session) onAcquired(epoch int) {
	s.mu.Lock()
	if s.closed || s.epoch != epoch || s.role != roleFollower {
		s.mu.Unlock()
		return
	}
	s.role, s.leader = roleLeader, s.cfg.TabID
	s.token = newToken()
	takeover := s.waited
	fx := s.follow.clear()
	fx = append(fx, s.failPendingLocked(ErrLeaderGone)...)
	s.status, s.reg = "", ""
	s.mu.Unlock()

	s.run(fx)
	if takeover {
		s.log.Infof("the leader tab went away: this tab takes over and registers")
		s.host.SessionEvent("re-register")
	} else {
		s.log.Infof("this tab leads the tabs of %s and registers", s.cfg.Account)
	}
	s.postSnapshot(message{Type: msgLeader})
	s.host.Register()
}

// newToken is a leader's token: 128 random bits, unguessable by a page that
// only posts on the channel.
func newToken() string { return fmt.Sprintf("%016x%016x", rand.Uint64(), rand.Uint64()) }

// Stop leaves the group (UnRegister). A leader logs the account out
// everywhere: it tells the followers, which withdraw their lock requests and
// report unregistered instead of taking over, then gives the lock back. A
// follower just leaves; the leader carries on.
func (s *Session) Stop() {
	s.mu.Lock()
	was, token := s.role, s.token
	release, fx := s.leaveLocked(false)
	s.mu.Unlock()
	s.run(fx)
	switch was {
	case roleLeader:
		s.log.Infof("logging %s out in every tab", s.cfg.Account)
		s.post(message{Type: msgLogout, Token: token})
		release = sync.OnceFunc(release)
		s.mu.Lock()
		if !s.closed {
			s.logoutHold = &logoutHold{release: release, timer: s.cfg.Clock.AfterFunc(s.cfg.LogoutGrace, release)}
		}
		s.mu.Unlock()
	case roleFollower:
		s.log.Infof("this tab leaves the tabs of %s", s.cfg.Account)
		release()
	}
}

// Close leaves the group for good without logging anybody out (the phone is
// being replaced): if this tab led, the next one takes over.
func (s *Session) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	release, fx := s.leaveLocked(false)
	s.closed = true
	if h := s.logoutHold; h != nil {
		s.logoutHold = nil
		h.timer.Stop()
		defer h.release()
	}
	s.mu.Unlock()
	s.run(fx)
	release()
}

// leaveLocked turns the role off. It returns what gives the lock back and
// what the host is owed: the end of the leader's call as this tab saw it,
// and the failure of commands still waiting.
func (s *Session) leaveLocked(rejoin bool) (release func(), fx []func()) {
	release = s.release
	if release == nil {
		release = func() {}
	}
	s.release = nil
	s.role, s.rejoin, s.waited, s.leader, s.token = roleOff, rejoin, false, "", ""
	s.epoch++
	fx = append(s.follow.clear(), s.failPendingLocked(ErrNotFollower)...)
	return release, fx
}

// post sends a message of this account and tab, with the token: a leader's
// own, or on a command the one its leader handed out.
func (s *Session) post(m message) {
	s.mu.Lock()
	leading, token := s.role == roleLeader, s.token
	s.mu.Unlock()
	if leading || m.Type == msgCmd {
		m.Token = token
	}
	m.V, m.Account, m.From = Version, s.cfg.Account, s.cfg.TabID
	s.cfg.Bus.Post(m.encode())
}

// run calls, in order and outside the session's lock, what a state change
// owes the host.
func (s *Session) run(fx []func()) {
	for _, f := range fx {
		f()
	}
}
