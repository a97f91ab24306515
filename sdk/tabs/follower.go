package tabs

// This file is the follower's side: what it learns from the leader and
// reports to its app.

// followerView is the leader's calls as a follower knows them, and which
// SessionCallback events the app has had for each, so that an event relayed
// and the same fact learnt from a state sync are told once.
type followerView struct {
	host  Host
	calls map[string]*followedCall
	order []string // Call-IDs, oldest first
	ended []string // the last calls that ended: later news of them is stale
}

type followedCall struct {
	snap CallSnapshot
	told map[string]bool
}

// maxEndedRemembered bounds the Call-IDs kept to recognise stale news.
const maxEndedRemembered = 32

// update takes a newer snapshot of one of the leader's calls. event is the
// leader's call event that came with it, or "" for a state sync, where the
// event is derived from the call's state.
func (v *followerView) update(snap CallSnapshot, event string) []func() {
	fc := v.calls[snap.CallID]
	if snap.Ended() {
		if fc != nil {
			return v.end(snap)
		}
		return nil
	}
	if v.wasEnded(snap.CallID) {
		return nil
	}
	if fc == nil {
		if v.calls == nil {
			v.calls = map[string]*followedCall{}
		}
		if len(v.calls) >= maxCalls {
			return nil // no leader has that many; the oldest stay
		}
		fc = &followedCall{told: map[string]bool{}}
		v.calls[snap.CallID] = fc
		v.order = append(v.order, snap.CallID)
	}
	fc.snap = snap
	if event == "" {
		event = snap.State
	}
	var fx []func()
	if event == "incoming" || event == "connected" {
		fx = append(fx, v.tell(fc, event))
	}
	c := snap
	return append(fx, func() { v.host.RemoteCallChanged(&c) })
}

// sync takes the leader's full list of calls: calls it no longer has have
// ended (without news of how), the others are updated.
func (v *followerView) sync(calls []CallSnapshot) []func() {
	present := map[string]bool{}
	for _, c := range calls {
		present[c.CallID] = true
	}
	var fx []func()
	for _, id := range append([]string(nil), v.order...) {
		if !present[id] {
			fx = append(fx, v.forget(id, "ended in the leader tab")...)
		}
	}
	for _, c := range calls {
		fx = append(fx, v.update(c, "")...)
	}
	return fx
}

// refresh takes the snapshot that came with a command's result: it may show
// the call muted or held, but never starts or ends one (events do that).
func (v *followerView) refresh(snap *CallSnapshot) []func() {
	if snap == nil || snap.Ended() {
		return nil
	}
	fc := v.calls[snap.CallID]
	if fc == nil {
		return nil
	}
	c := *snap
	c.State = fc.snap.State
	fc.snap = c
	return []func(){func() { v.host.RemoteCallChanged(&c) }}
}

// refreshAll takes the other calls that came with an event or a result
// (all but the one with id skip): hold and mute only, as refresh.
func (v *followerView) refreshAll(calls []CallSnapshot, skip string) []func() {
	var fx []func()
	for i := range calls {
		if calls[i].CallID != skip {
			fx = append(fx, v.refresh(&calls[i])...)
		}
	}
	return fx
}

// clear forgets every call without news of its end (the leader went away,
// or this tab left): for the app they have ended.
func (v *followerView) clear() []func() {
	var fx []func()
	for _, id := range append([]string(nil), v.order...) {
		fx = append(fx, v.forget(id, "no longer followed from this tab")...)
	}
	return fx
}

func (v *followerView) forget(id, reason string) []func() {
	fc := v.calls[id]
	if fc == nil {
		return nil
	}
	c := fc.snap
	c.State, c.EndReason = "terminated", reason
	return v.end(c)
}

func (v *followerView) end(final CallSnapshot) []func() {
	fc := v.calls[final.CallID]
	delete(v.calls, final.CallID)
	for i, id := range v.order {
		if id == final.CallID {
			v.order = append(v.order[:i:i], v.order[i+1:]...)
			break
		}
	}
	v.ended = append(v.ended, final.CallID)
	if len(v.ended) > maxEndedRemembered {
		v.ended = v.ended[1:]
	}
	fx := []func(){v.tell(fc, "callEnded")}
	return append(fx, func() { v.host.RemoteCallChanged(&final) })
}

func (v *followerView) wasEnded(id string) bool {
	for _, e := range v.ended {
		if e == id {
			return true
		}
	}
	return false
}

// list is the calls, oldest first.
func (v *followerView) list() []CallSnapshot {
	out := make([]CallSnapshot, 0, len(v.order))
	for _, id := range v.order {
		out = append(out, v.calls[id].snap)
	}
	return out
}

// tell returns the SessionCallback for event, or nothing if it was told.
func (v *followerView) tell(fc *followedCall, event string) func() {
	if fc.told[event] {
		return func() {}
	}
	fc.told[event] = true
	return func() { v.host.SessionEvent(event) }
}

// onLeaderSpoke records that tab speaks as the leader. A new leader means the
// old one is gone: commands waiting for it fail.
func (s *Session) onLeaderSpokeLocked(tab string) []func() {
	if s.leader == tab {
		return nil
	}
	s.leader = tab
	return s.failPendingLocked(ErrLeaderGone)
}

// onState handles "leader" and "state": the leader's registration and call.
func (s *Session) onState(m message) {
	s.mu.Lock()
	switch s.role {
	case roleLeader:
		s.mu.Unlock()
		if m.Type == msgLeader {
			s.log.Warnf("tab %s claims to lead %s too; this tab holds the lock", m.From, s.cfg.Account)
		}
		return
	case roleOff:
		rejoin := s.rejoin && !s.closed && m.Type == msgLeader
		s.mu.Unlock()
		if rejoin {
			s.log.Infof("tab %s logged %s in again: following it", m.From, s.cfg.Account)
			s.Start()
		}
		return
	}
	fx := s.onLeaderSpokeLocked(m.From)
	s.token = m.Token
	s.status = m.Status
	fx = append(fx, s.mirrorLocked(m.Reg, m.Status)...)
	fx = append(fx, s.follow.sync(m.Calls)...)
	s.mu.Unlock()
	s.run(fx)
}

// mirrorLocked tells the app the leader's registration state when it
// changes: the event just reported if there is one, else what the status says.
func (s *Session) mirrorLocked(event, status string) []func() {
	state := event
	if state == "" {
		state = status
	}
	switch state {
	case "registered", "unregistered", "terminated":
	default:
		return nil
	}
	if state == s.reg {
		return nil
	}
	s.reg = state
	return []func(){func() { s.host.RegisterEvent(state) }}
}

// onCall handles a call event of the leader.
func (s *Session) onCall(m message) {
	s.mu.Lock()
	if s.role != roleFollower || m.Call == nil {
		s.mu.Unlock()
		return
	}
	fx := s.onLeaderSpokeLocked(m.From)
	s.token = m.Token
	fx = append(fx, s.follow.update(*m.Call, m.Event)...)
	fx = append(fx, s.follow.refreshAll(m.Calls, m.Call.CallID)...)
	s.mu.Unlock()
	s.run(fx)
}

// onLogout: the leader logged the account out on purpose. This tab withdraws
// its lock request (so it does not take over), reports unregistered, and
// follows again when some tab logs in.
func (s *Session) onLogout(m message) {
	s.mu.Lock()
	if s.role != roleFollower || (s.leader != "" && s.leader != m.From) || (s.token != "" && s.token != m.Token) {
		s.mu.Unlock()
		return
	}
	release, fx := s.leaveLocked(true)
	s.status = "unregistered"
	fx = append(fx, s.mirrorLocked("unregistered", "")...)
	s.mu.Unlock()
	release()
	s.log.Infof("tab %s logged %s out: this tab will not take over", m.From, s.cfg.Account)
	s.run(fx)
}

// RemoteCalls are the leader's calls as this follower knows them, oldest
// first; none when this tab leads.
func (s *Session) RemoteCalls() []CallSnapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.role != roleFollower {
		return nil
	}
	return s.follow.list()
}

// RemoteCall is getCall() of a follower, as this follower knows the
// leader's calls: the only one; with several, the connected call not on
// hold, else the newest ringing incoming call, else the newest. false when
// this tab leads or the leader has no call.
func (s *Session) RemoteCall() (CallSnapshot, bool) {
	calls := s.RemoteCalls()
	if len(calls) == 0 {
		return CallSnapshot{}, false
	}
	for _, c := range calls {
		if c.State == "connected" && !c.Held {
			return c, true
		}
	}
	for i := len(calls) - 1; i >= 0; i-- {
		if calls[i].State == "incoming" {
			return calls[i], true
		}
	}
	return calls[len(calls)-1], true
}

// RemoteCallByID is the leader's call with this Call-ID, as this follower
// knows it.
func (s *Session) RemoteCallByID(callID string) (CallSnapshot, bool) {
	for _, c := range s.RemoteCalls() {
		if c.CallID == callID {
			return c, true
		}
	}
	return CallSnapshot{}, false
}

// MirroredStatus is the checkClientStatus this tab reports when it does not
// lead: the leader's, as last told (or "unregistered" after a logout).
// false when this tab leads or knows nothing: its own phone answers then.
func (s *Session) MirroredStatus() (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.role == roleFollower && s.status != "":
		return s.status, true
	case s.role == roleOff && s.rejoin:
		return "unregistered", true
	}
	return "", false
}
