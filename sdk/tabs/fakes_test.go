package tabs

import (
	"errors"
	"fmt"
	"github.com/webphone/exotelsdk/sdk/clock/clocktest"
	"sync"
	"testing"
	"time"

	"github.com/webphone/exotelsdk/sdk/logs"
)

// origin is a fake browser origin: tabs with their own event loop, a
// broadcast channel between them, and a lock manager that hands a lock to
// the next waiting tab when its holder releases it or dies.
type origin struct {
	t  *testing.T
	mu sync.Mutex
	// tabs in the order they were opened
	tabs  []*tab
	locks map[string]*fakeLock
	// clock times every session's command timeouts and logout grace.
	clock *clocktest.Manual
}

func newOrigin(t *testing.T) *origin {
	return &origin{t: t, locks: map[string]*fakeLock{}, clock: clocktest.New()}
}

// tab is one fake browser tab: everything the browser calls into it
// (messages, lock grants) runs on its own loop, one at a time, in order.
type tab struct {
	o       *origin
	name    string
	loop    chan func()
	dead    chan struct{}
	mu      sync.Mutex
	handler func([]byte)
	killed  bool
}

func (o *origin) open(name string) *tab {
	tb := &tab{o: o, name: name, loop: make(chan func(), 1000), dead: make(chan struct{})}
	go func() {
		for {
			select {
			case f := <-tb.loop:
				f()
			case <-tb.dead:
				return
			}
		}
	}()
	o.mu.Lock()
	o.tabs = append(o.tabs, tb)
	o.mu.Unlock()
	o.t.Cleanup(tb.kill)
	return tb
}

// do queues f on the tab's loop unless the tab is dead.
func (tb *tab) do(f func()) {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	if !tb.killed {
		tb.loop <- f
	}
}

// kill is the tab crashing or being closed: it posts and hears nothing more,
// and the browser releases its locks.
func (tb *tab) kill() {
	tb.mu.Lock()
	if tb.killed {
		tb.mu.Unlock()
		return
	}
	tb.killed = true
	close(tb.dead)
	tb.mu.Unlock()
	tb.o.mu.Lock()
	var locks []*fakeLock
	for _, l := range tb.o.locks {
		locks = append(locks, l)
	}
	tb.o.mu.Unlock()
	for _, l := range locks {
		l.dropTab(tb)
	}
}

func (tb *tab) isDead() bool { tb.mu.Lock(); defer tb.mu.Unlock(); return tb.killed }

// The tab is its own Bus: a BroadcastChannel of the origin.
func (tb *tab) Post(msg []byte) {
	if tb.isDead() {
		return
	}
	tb.o.mu.Lock()
	others := append([]*tab(nil), tb.o.tabs...)
	tb.o.mu.Unlock()
	for _, other := range others {
		if other == tb {
			continue
		}
		other.mu.Lock()
		h := other.handler
		other.mu.Unlock()
		if h != nil {
			m := append([]byte(nil), msg...)
			other.do(func() { h(m) })
		}
	}
}

func (tb *tab) OnMessage(h func([]byte)) { tb.mu.Lock(); tb.handler = h; tb.mu.Unlock() }

// The tab is its own Lock, on the origin's lock manager.
func (tb *tab) Acquire(name string, busy, acquired func()) func() {
	tb.o.mu.Lock()
	l := tb.o.locks[name]
	if l == nil {
		l = &fakeLock{}
		tb.o.locks[name] = l
	}
	tb.o.mu.Unlock()
	return l.acquire(tb, busy, acquired)
}

type lockRequest struct {
	tb       *tab
	acquired func()
	released bool
}

type fakeLock struct {
	mu     sync.Mutex
	holder *lockRequest
	queue  []*lockRequest
}

func (l *fakeLock) acquire(tb *tab, busy, acquired func()) func() {
	r := &lockRequest{tb: tb, acquired: acquired}
	l.mu.Lock()
	if l.holder == nil {
		l.holder = r
		l.mu.Unlock()
		l.grant(r)
	} else {
		l.queue = append(l.queue, r)
		l.mu.Unlock()
		tb.do(func() {
			if !l.isReleased(r) {
				busy()
			}
		})
	}
	return func() { l.release(r) }
}

func (l *fakeLock) grant(r *lockRequest) {
	r.tb.do(func() {
		if !l.isReleased(r) {
			r.acquired()
		}
	})
}

func (l *fakeLock) isReleased(r *lockRequest) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return r.released
}

func (l *fakeLock) release(r *lockRequest) {
	l.mu.Lock()
	r.released = true
	var next *lockRequest
	if l.holder == r {
		l.holder = nil
		if len(l.queue) > 0 {
			next, l.queue = l.queue[0], l.queue[1:]
			l.holder = next
		}
	} else {
		for i, q := range l.queue {
			if q == r {
				l.queue = append(l.queue[:i], l.queue[i+1:]...)
				break
			}
		}
	}
	l.mu.Unlock()
	if next != nil {
		l.grant(next)
	}
}

func (l *fakeLock) dropTab(tb *tab) {
	l.mu.Lock()
	var mine []*lockRequest
	if l.holder != nil && l.holder.tb == tb {
		mine = append(mine, l.holder)
	}
	for _, q := range l.queue {
		if q.tb == tb {
			mine = append(mine, q)
		}
	}
	l.mu.Unlock()
	for _, r := range mine {
		l.release(r)
	}
}

// host is a fake tab's phone and app: it records what the session asks of
// it, and holds a call that Execute acts on.
type host struct {
	tb *tab
	s  *Session

	mu        sync.Mutex
	registers int
	status    string
	calls     []*CallSnapshot // oldest first
	session   []string        // SessionCallback states
	regEvents []string        // mirrored RegisterEventCallBack states
	remote    []CallSnapshot
	executed  []Command
	block     chan struct{} // Execute waits on it when set
}

// start opens a tab running a session for account.
func (o *origin) start(name, account string, cfg Config) (*tab, *host) {
	tb := o.open(name)
	h := &host{tb: tb, status: "initial"}
	cfg.Account, cfg.TabID, cfg.Bus, cfg.Lock = account, name, tb, tb
	cfg.Log = logs.NewBook(100).Logger(name)
	cfg.Clock = o.clock
	s, err := New(cfg, h)
	if err != nil {
		o.t.Fatal(err)
	}
	h.s = s
	done := make(chan struct{})
	tb.do(func() { s.Start(); close(done) })
	<-done
	return tb, h
}

func (h *host) Register() {
	h.mu.Lock()
	h.registers++
	h.mu.Unlock()
}

func (h *host) Status() string { h.mu.Lock(); defer h.mu.Unlock(); return h.status }

func (h *host) Calls() []CallSnapshot {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []CallSnapshot
	for _, c := range h.calls {
		out = append(out, *c)
	}
	return out
}

// findLocked is the leader's call with id, or nil.
func (h *host) findLocked(id string) *CallSnapshot {
	for _, c := range h.calls {
		if c.CallID == id {
			return c
		}
	}
	return nil
}

// putLocked replaces (or adds) a call; an ended call is dropped.
func (h *host) putLocked(c *CallSnapshot) {
	for i, old := range h.calls {
		if old.CallID == c.CallID {
			if c.Ended() {
				h.calls = append(h.calls[:i:i], h.calls[i+1:]...)
			} else {
				h.calls[i] = c
			}
			return
		}
	}
	if !c.Ended() {
		h.calls = append(h.calls, c)
	}
}

func (h *host) Execute(cmd Command) (*CallSnapshot, error) {
	h.mu.Lock()
	h.executed = append(h.executed, cmd)
	block := h.block
	h.mu.Unlock()
	if block != nil {
		<-block
	}
	h.mu.Lock()
	call := h.findLocked(cmd.CallID)
	if call == nil {
		h.mu.Unlock()
		return nil, errors.New("no such call")
	}
	event := ""
	switch cmd.Name {
	case CmdAnswer:
		call.State, event = "connected", "connected"
	case CmdHangup:
		call.State, event = "callEnded", "callEnded"
	case CmdMute, CmdUnmute:
		call.Muted = cmd.Name == CmdMute
	case CmdHold, CmdUnhold:
		call.Held = cmd.Name == CmdHold
	case CmdDTMF:
		if cmd.Digit == "" {
			h.mu.Unlock()
			return nil, errors.New("bad digit")
		}
	}
	c := *call
	h.putLocked(&c)
	h.mu.Unlock()
	if event != "" {
		h.s.CallEvent(event, c) // what the real phone's event does
	}
	return &c, nil
}

func (h *host) SessionEvent(state string) {
	h.mu.Lock()
	h.session = append(h.session, state)
	h.mu.Unlock()
}

func (h *host) RegisterEvent(state string) {
	h.mu.Lock()
	h.regEvents = append(h.regEvents, state)
	h.mu.Unlock()
}

func (h *host) RemoteCallChanged(c *CallSnapshot) {
	h.mu.Lock()
	h.remote = append(h.remote, *c)
	h.mu.Unlock()
}

// registered is the leader's phone reaching "registered".
func (h *host) registered() {
	h.mu.Lock()
	h.status = "registered"
	h.mu.Unlock()
	h.s.RegisterEvent("registered")
}

// ring gives the leader's phone an incoming call.
func (h *host) ring(id string) {
	h.setCall(&CallSnapshot{CallID: id, Direction: "incoming", RemoteID: "bob", RemoteDisplayName: "Bob", State: "incoming"}, "incoming")
}

// setCall changes the leader's call and relays the event, as the phone would.
func (h *host) setCall(c *CallSnapshot, event string) {
	h.mu.Lock()
	snap := *c
	h.putLocked(c)
	h.mu.Unlock()
	h.s.CallEvent(event, snap)
}

func (h *host) snapshot() (registers int, session, regEvents []string, executed []Command) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.registers, append([]string(nil), h.session...), append([]string(nil), h.regEvents...), append([]Command(nil), h.executed...)
}

func (h *host) sessionEvents() []string  { _, s, _, _ := h.snapshot(); return s }
func (h *host) registerEvents() []string { _, _, r, _ := h.snapshot(); return r }
func (h *host) registerCount() int       { n, _, _, _ := h.snapshot(); return n }

// forward runs Forward on the tab's loop and returns the error Forward
// returned and a channel with the outcome.
func (h *host) forward(cmd Command) (chan error, error) {
	out := make(chan error, 1)
	var err error
	done := make(chan struct{})
	h.tb.do(func() { err = h.s.Forward(cmd, func(e error) { out <- e }); close(done) })
	<-done
	return out, err
}

// waitFor polls cond for up to two seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// leaderOf returns the hosts that lead among hs.
func leaderOf(hs ...*host) []*host {
	var out []*host
	for _, h := range hs {
		if h.s.Leader() {
			out = append(out, h)
		}
	}
	return out
}

func (h *host) String() string { return fmt.Sprintf("tab %s (%s)", h.tb.name, h.s.Role()) }
