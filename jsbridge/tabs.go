//go:build js && wasm

package jsbridge

import (
	"errors"
	"sort"
	"sync"
	"syscall/js"
	"time"

	sdkclient "github.com/webphone/exotelsdk/sdk/client"
	"github.com/webphone/exotelsdk/sdk/phone"
	"github.com/webphone/exotelsdk/sdk/tabs"
)

// tabSession coordinates the tabs of one origin that use the same account
// (SessionListener): sdk/tabs elects the tab that registers over a Web Lock
// and relays over a BroadcastChannel; this is the client's side of it.
//
// What the app sees in a tab that does not lead (a follower):
//   - SessionCallback('incoming'|'connected'|'callEnded', phone) for the
//     leader's calls (not CallListenerCallback: the call is not in this tab);
//   - RegisterEventCallBack and checkClientStatus mirror the leader's
//     registration, although this tab sends no REGISTER;
//   - getCall() returns a proxy Call whose Answer, Hangup, Mute, Hold and
//     sendDTMF run in the leader tab (addressed by callId, so a follower
//     can act on each of several calls);
//   - when the leader tab goes away, one follower gets the lock, hears
//     SessionCallback('re-register', phone) and registers by itself.
//
// UnRegister in the leader logs the account out in every tab (nobody takes
// over); in a follower it only takes that tab out of the group.
type tabSession struct {
	c *client

	mu      sync.Mutex
	s       *tabs.Session
	bus     *channelBus
	phone   *phone.Phone
	proxies map[string]*proxyCall // follower: the leader's call, by Call-ID
}

// sessionListener is SessionListener(): multi-tab coordination for this
// client from its next DoRegister. It may come before or after initWebrtc.
func (c *client) sessionListener([]js.Value) any {
	if !tabsSupported() {
		logger.Warnf("SessionListener: this browser has no BroadcastChannel or Web Locks (navigator.locks needs https or localhost); tabs stay independent")
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tabs == nil {
		c.tabs = &tabSession{c: c, proxies: map[string]*proxyCall{}}
	}
	return nil
}

// register is DoRegister with tabs: the tab joins the group of its account;
// only the tab that gets the lock calls p.Register().
func (t *tabSession) register(p *phone.Phone) bool {
	s, err := t.sessionFor(p)
	if err != nil {
		logger.Errorf("SessionListener: %v", err)
		return p.Register()
	}
	s.Start()
	return true
}

// sessionFor is the tabs session of phone p, made on first use (and again
// when initWebrtc made a new phone: the old one's place goes to the next tab).
func (t *tabSession) sessionFor(p *phone.Phone) (*tabs.Session, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.s != nil && t.phone == p {
		return t.s, nil
	}
	if t.s != nil {
		t.s.Close()
		t.bus.close()
		t.s = nil
	}
	t.phone, t.bus = p, newChannelBus()
	s, err := tabs.New(tabs.Config{
		Account: p.UserName(), Bus: t.bus, Lock: webLock{}, Log: book.Logger(p.UserName()).With("tabs"),
	}, &tabHost{t: t, p: p})
	if err != nil {
		return nil, err
	}
	t.s = s
	return s, nil
}

func (t *tabSession) session() *tabs.Session {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.s
}

// unregister is UnRegister with tabs (the client un-registers the phone
// itself; a follower's phone has nothing to undo).
func (t *tabSession) unregister(p *phone.Phone) {
	if s := t.session(); s != nil {
		s.Stop()
	}
}

// remoteCall is getCall() in a tab that does not hold the call: the proxy of
// the leader's current call (tabs.Session.RemoteCall), or nil.
func (t *tabSession) remoteCall() any {
	s := t.session()
	if s == nil {
		return nil
	}
	snap, ok := s.RemoteCall()
	if !ok {
		return nil
	}
	return t.proxyFor(snap).object()
}

// remoteCallByID is getCallById() in a follower tab: the proxy of the
// leader's call with that Call-ID, or nil.
func (t *tabSession) remoteCallByID(callID string) any {
	s := t.session()
	if s == nil {
		return nil
	}
	snap, ok := s.RemoteCallByID(callID)
	if !ok {
		return nil
	}
	return t.proxyFor(snap).object()
}

// remoteCalls are the proxies of every call of the leader, oldest first.
func (t *tabSession) remoteCalls() []any {
	s := t.session()
	if s == nil {
		return nil
	}
	var out []any
	for _, snap := range s.RemoteCalls() {
		out = append(out, t.proxyFor(snap).object())
	}
	return out
}

// proxyFor is the one proxy object of a leader's call, up to date.
func (t *tabSession) proxyFor(snap tabs.CallSnapshot) *proxyCall {
	pc := t.proxyOf(snap)
	pc.update(snap)
	return pc
}

func (t *tabSession) proxyOf(snap tabs.CallSnapshot) *proxyCall {
	t.mu.Lock()
	defer t.mu.Unlock()
	pc := t.proxies[snap.CallID]
	if pc == nil {
		pc = newProxyCall(t, snap)
		t.proxies[snap.CallID] = pc
	}
	return pc
}

// relayCallEvent tells the other tabs about a call event of this tab.
func (t *tabSession) relayCallEvent(call *phone.Call, event string) {
	if s := t.session(); s != nil {
		s.CallEvent(event, sdkclient.Snapshot(call.Details()))
	}
}

// relayRegisterEvent tells the other tabs about a registration event of this tab.
func (t *tabSession) relayRegisterEvent(state string) {
	if s := t.session(); s != nil {
		s.RegisterEvent(state)
	}
}

// mirroredStatus is the leader's status as a follower reports it; "" when
// this tab's own phone answers.
func (t *tabSession) mirroredStatus() string {
	if s := t.session(); s != nil {
		if st, ok := s.MirroredStatus(); ok {
			return st
		}
	}
	return ""
}

// tabHost is what the tabs session asks of this tab: its phone and the app's callbacks.
type tabHost struct {
	t *tabSession
	p *phone.Phone
}

func (h *tabHost) Register()      { h.p.Register() }
func (h *tabHost) Status() string { return h.p.Status() }

// Calls are this tab's calls not yet ended, oldest first.
func (h *tabHost) Calls() []tabs.CallSnapshot {
	var out []tabs.CallSnapshot
	for _, call := range h.t.c.knownCalls() {
		if !call.Ended() {
			out = append(out, sdkclient.Snapshot(call.Details()))
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].StartedMs < out[j].StartedMs })
	return out
}

// Execute runs a follower's command on the call it names, as the Call
// object's method of the same name would (sdk/client.Dispatch).
func (h *tabHost) Execute(cmd tabs.Command) (*tabs.CallSnapshot, error) {
	if tabs.PhoneCommand(cmd.Name) {
		return nil, h.t.c.executePhoneCommand(h.p, cmd.Name)
	}
	var call *phone.Call
	for _, c := range h.t.c.knownCalls() {
		if c.ID() == cmd.CallID && !c.Ended() {
			call = c
		}
	}
	if call == nil {
		return nil, errors.New("no such call in the leader tab")
	}
	var err error
	if cmd.Name == tabs.CmdAttendedTransfer {
		err = h.executeAttendedTransfer(call, cmd.Other)
	} else {
		err = sdkclient.Dispatch(cmd, call)
	}
	// This tab's own Call object shows the change too.
	if jc := h.t.c.jsCallOf(call); jc != nil {
		jc.refresh()
	}
	snap := sdkclient.Snapshot(call.Details())
	return &snap, err
}

func (h *tabHost) SessionEvent(state string) { h.t.c.SessionEvent(state) }

func (h *tabHost) RegisterEvent(state string) {
	cb, user := h.t.c.registerCallback()
	invokeLater(cb, state, user)
}

// RemoteCallChanged refreshes the proxy of a leader's call; an ended call's
// proxy keeps its last state and is dropped (getCall() no longer returns it).
func (h *tabHost) RemoteCallChanged(snap *tabs.CallSnapshot) {
	if pc := h.t.dropIfEnded(*snap); pc != nil {
		pc.update(*snap)
		if snap.Ended() {
			pc.release() // call_object.go: it goes once the app drops its object
		}
	}
}

func (t *tabSession) dropIfEnded(snap tabs.CallSnapshot) *proxyCall {
	t.mu.Lock()
	defer t.mu.Unlock()
	pc := t.proxies[snap.CallID]
	if snap.Ended() {
		delete(t.proxies, snap.CallID)
	}
	return pc
}

// knownCalls are the calls this client has a Call object for.
func (c *client) knownCalls() []*phone.Call {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]*phone.Call, 0, len(c.calls))
	for call := range c.calls {
		out = append(out, call)
	}
	return out
}

// jsCallOf is the Call object of call, or nil.
func (c *client) jsCallOf(call *phone.Call) *jsCall {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.calls[call]
}

// proxyClock is what a proxy's call duration runs to.
var proxyClock = time.Now
