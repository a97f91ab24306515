package tabs

// This file is the follower's side: what it learns from the leader and
// reports to its app.

// followerView is the leader's call as a follower knows it, and which
// SessionCallback events the app has had for it, so that an event relayed
// and the same fact learnt from a state sync are told once.
type followerView struct {
	host    Host
	call    *CallSnapshot
	told    map[string]bool
	endedID string // the last call that ended: later news of it is stale
}

// update takes a newer snapshot of the leader's call. event is the leader's
// call event that came with it, or "" for a state sync, where the event is
// derived from the call's state. nil means the leader has no call.
func (v *followerView) update(snap *CallSnapshot, event string) []func() {
	if snap == nil {
		return v.clear()
	}
	var fx []func()
	if v.call != nil && v.call.CallID != snap.CallID {
		fx = v.clear()
	}
	if snap.Ended() {
		if v.call != nil {
			fx = append(fx, v.end(*snap)...)
		}
		return fx
	}
	if snap.CallID == v.endedID {
		return fx
	}
	if v.call == nil {
		v.told = map[string]bool{}
	}
	c := *snap
	v.call = &c
	if event == "" {
		event = snap.State
	}
	if event == "incoming" || event == "connected" {
		fx = append(fx, v.tell(event))
	}
	return append(fx, func() { v.host.RemoteCallChanged(&c) })
}

// refresh takes the snapshot that came with a command's result: it may show
// the call muted or held, but never starts or ends one (events do that).
func (v *followerView) refresh(snap *CallSnapshot) []func() {
	if snap == nil || v.call == nil || v.call.CallID != snap.CallID || snap.Ended() {
		return nil
	}
	c := *snap
	c.State = v.call.State
	v.call = &c
	return []func(){func() { v.host.RemoteCallChanged(&c) }}
}

// clear forgets the call without news of its end (the leader went away, or
// this tab left): for the app it has ended.
func (v *followerView) clear() []func() {
	if v.call == nil {
		return nil
	}
	c := *v.call
	c.State, c.EndReason = "terminated", "no longer followed from this tab"
	return v.end(c)
}

func (v *followerView) end(final CallSnapshot) []func() {
	v.call, v.endedID = nil, final.CallID
	fx := []func(){v.tell("callEnded")}
	return append(fx, func() { v.host.RemoteCallChanged(&final) })
}

// tell returns the SessionCallback for event, or nothing if it was told.
func (v *followerView) tell(event string) func() {
	if v.told[event] {
		return func() {}
	}
	v.told[event] = true
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
	s.status = m.Status
	fx = append(fx, s.mirrorLocked(m.Reg, m.Status)...)
	fx = append(fx, s.follow.update(m.Call, "")...)
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
	fx = append(fx, s.follow.update(m.Call, m.Event)...)
	s.mu.Unlock()
	s.run(fx)
}

// onLogout: the leader logged the account out on purpose. This tab withdraws
// its lock request (so it does not take over), reports unregistered, and
// follows again when some tab logs in.
func (s *Session) onLogout(m message) {
	s.mu.Lock()
	if s.role != roleFollower || (s.leader != "" && s.leader != m.From) {
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

// RemoteCall is the leader's call as this follower knows it; false when this
// tab leads or the leader has no call.
func (s *Session) RemoteCall() (CallSnapshot, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.role != roleFollower || s.follow.call == nil {
		return CallSnapshot{}, false
	}
	return *s.follow.call, true
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
