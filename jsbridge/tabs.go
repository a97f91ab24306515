//go:build js && wasm

package jsbridge

import (
	"errors"
	"sync"
	"syscall/js"

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
//     sendDTMF run in the leader tab;
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
	if c.tabs == nil {
		c.tabs = &tabSession{c: c, proxies: map[string]*proxyCall{}}
	}
	c.mu.Unlock()
	return nil
}

// register is DoRegister with tabs: the tab joins the group of its account;
// only the tab that gets the lock calls p.Register().
func (t *tabSession) register(p *phone.Phone) bool {
	t.mu.Lock()
	if t.s == nil || t.phone != p {
		if t.s != nil {
			t.s.Close() // initWebrtc again: the old phone's place goes to the next tab
			t.bus.close()
		}
		t.phone, t.bus = p, newChannelBus()
		s, err := tabs.New(tabs.Config{
			Account: p.UserName(), Bus: t.bus, Lock: webLock{}, Log: book.Logger(p.UserName()).With("tabs"),
		}, &tabHost{t: t, p: p})
		if err != nil {
			t.mu.Unlock()
			logger.Errorf("SessionListener: %v", err)
			return p.Register()
		}
		t.s = s
	}
	s := t.s
	t.mu.Unlock()
	s.Start()
	return true
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
// the leader's call, or nil.
func (t *tabSession) remoteCall() any {
	s := t.session()
	if s == nil {
		return nil
	}
	snap, ok := s.RemoteCall()
	if !ok {
		return nil
	}
	t.mu.Lock()
	pc := t.proxies[snap.CallID]
	if pc == nil {
		pc = newProxyCall(t, snap)
		t.proxies[snap.CallID] = pc
	}
	t.mu.Unlock()
	pc.update(snap)
	return pc.obj
}

// relayCallEvent tells the other tabs about a call event of this tab.
func (t *tabSession) relayCallEvent(call *phone.Call, event string) {
	if s := t.session(); s != nil {
		s.CallEvent(event, snapshotOf(call))
	}
}

// relayRegisterEvent tells the other tabs about a registration event of this tab.
func (t *tabSession) relayRegisterEvent(state string) {
	if s := t.session(); s != nil {
		s.RegisterEvent(state)
	}
}

// status is checkClientStatus with tabs: a follower reports the leader's.
func (t *tabSession) status(own string) string {
	if s := t.session(); s != nil {
		if st, ok := s.MirroredStatus(); ok {
			return st
		}
	}
	return own
}

// tabHost is what the tabs session asks of this tab: its phone and the app's callbacks.
type tabHost struct {
	t *tabSession
	p *phone.Phone
}

func (h *tabHost) Register()      { h.p.Register() }
func (h *tabHost) Status() string { return h.p.Status() }

func (h *tabHost) CurrentCall() *tabs.CallSnapshot {
	call := h.p.CurrentCall()
	if call == nil {
		return nil
	}
	snap := snapshotOf(call)
	return &snap
}

// Execute runs a follower's command on this tab's call, as the Call
// object's method of the same name would.
func (h *tabHost) Execute(cmd tabs.Command) (*tabs.CallSnapshot, error) {
	call := h.p.CurrentCall()
	if call == nil || (cmd.CallID != "" && call.ID() != cmd.CallID) {
		return nil, errors.New("no such call in the leader tab")
	}
	var err error
	switch cmd.Name {
	case tabs.CmdAnswer:
		err = call.Answer()
	case tabs.CmdHangup:
		err = call.Hangup()
	case tabs.CmdMute, tabs.CmdUnmute:
		call.SetMuted(cmd.Name == tabs.CmdMute)
	case tabs.CmdHold, tabs.CmdUnhold:
		err = call.SetHold(cmd.Name == tabs.CmdHold)
	case tabs.CmdDTMF:
		err = call.SendDTMF(cmd.Digit)
	}
	// This tab's own Call object shows the change too.
	h.t.c.mu.Lock()
	jc := h.t.c.calls[call]
	h.t.c.mu.Unlock()
	if jc != nil {
		jc.refresh()
	}
	snap := snapshotOf(call)
	return &snap, err
}

func (h *tabHost) SessionEvent(state string) { h.t.c.SessionEvent(state) }

func (h *tabHost) RegisterEvent(state string) {
	h.t.c.mu.Lock()
	cb, user := h.t.c.regCb, h.t.c.userName
	h.t.c.mu.Unlock()
	invokeLater(cb, state, user)
}

// RemoteCallChanged refreshes the proxy of the leader's call; an ended call's
// proxy keeps its last state and is dropped (getCall() is null then).
func (h *tabHost) RemoteCallChanged(snap *tabs.CallSnapshot) {
	h.t.mu.Lock()
	pc := h.t.proxies[snap.CallID]
	if snap.Ended() {
		delete(h.t.proxies, snap.CallID)
	}
	h.t.mu.Unlock()
	if pc != nil {
		pc.update(*snap)
	}
}

// snapshotOf is what the other tabs are told of a call.
func snapshotOf(call *phone.Call) tabs.CallSnapshot {
	d := call.Details()
	s := tabs.CallSnapshot{
		CallID: d.CallID, CallSid: d.CallSid, Direction: d.CallDirection, RemoteID: d.RemoteID,
		RemoteDisplayName: d.RemoteDisplayName, State: d.CallState, Muted: d.Muted, Held: d.Held,
		EndReason: d.CallEndReason,
	}
	if !d.CallStartedTime.IsZero() {
		s.StartedMs = d.CallStartedTime.UnixMilli()
	}
	if !d.CallEstablishedTime.IsZero() {
		s.EstablishedMs = d.CallEstablishedTime.UnixMilli()
	}
	if !d.CallEndedTime.IsZero() {
		s.EndedMs = d.CallEndedTime.UnixMilli()
	}
	return s
}
