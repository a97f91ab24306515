package tabs

import "fmt"

// This file is the leader's side: it tells the followers what its phone
// does, and it is where messages arrive.

// receive handles one message from the bus. Messages of other accounts,
// this tab's own, and anything malformed are dropped.
func (s *Session) receive(b []byte) {
	defer func() {
		// A message must never take the page down (a panic in wasm stops the runtime).
		if r := recover(); r != nil {
			s.log.Errorf("tab message dropped: %v", r)
		}
	}()
	m, err := decode(b)
	if err != nil {
		s.log.Debugf("tab message ignored: %v", err)
		return
	}
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed || m.Account != s.cfg.Account || m.From == s.cfg.TabID {
		return
	}
	if m.Type == msgCmd && !s.tokenIsMine(m.Token) {
		if s.Leader() {
			s.log.Warnf("command %q from tab %s ignored: it does not carry this leader's token (another page of the origin?)", m.Cmd, m.From)
		}
		return
	}
	switch m.Type {
	case msgHello:
		s.onHello()
	case msgLeader, msgState:
		s.onState(m)
	case msgCall:
		s.onCall(m)
	case msgCmd:
		s.onCommand(m)
	case msgResult:
		s.onResult(m)
	case msgLogout:
		s.onLogout(m)
	default:
		s.log.Debugf("tab message of unknown type %q ignored", m.Type)
	}
}

// onHello: a follower joined; the leader tells it everything.
func (s *Session) onHello() {
	if s.Leader() {
		s.postState("")
	}
}

// postState tells the followers the leader's status and calls; event is the
// registration event that prompted it, if any.
func (s *Session) postState(event string) {
	s.postSnapshot(message{Type: msgState, Reg: event})
}

// postSnapshot posts m with the host's status and calls as they are now,
// read and posted as one step against call events (snapshotMu).
func (s *Session) postSnapshot(m message) {
	s.snapshotMu.Lock()
	defer s.snapshotMu.Unlock()
	m.Status, m.Calls = s.host.Status(), s.hostCalls()
	s.post(m)
}

// hostCalls is the host's calls, at most as many as a message may carry.
func (s *Session) hostCalls() []CallSnapshot {
	calls := s.host.Calls()
	if len(calls) > maxCalls {
		calls = calls[len(calls)-maxCalls:]
	}
	return calls
}

// tokenIsMine tells whether token is the one this tab hands out as leader.
func (s *Session) tokenIsMine(token string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.role == roleLeader && token != "" && token == s.token
}

// RegisterEvent relays a registration event of the leader's phone to the
// followers, who mirror it. Other tabs' sessions do nothing.
func (s *Session) RegisterEvent(state string) {
	if s.Leader() {
		s.postState(state)
	}
}

// CallEvent relays a call event of the leader's phone (incoming, connected,
// callEnded, terminated, ringing) with the call as it is now.
func (s *Session) CallEvent(event string, call CallSnapshot) {
	if s.Leader() {
		s.snapshotMu.Lock()
		defer s.snapshotMu.Unlock()
		// Every call rides along: a switch holds the other calls without
		// an event of theirs, and the followers must see them held.
		s.post(message{Type: msgCall, Event: event, Call: &call, Calls: s.host.Calls()})
	}
}

// onCommand runs a follower's command on one of the leader's calls (the
// only one when the command names none), on a goroutine of its own (it may
// wait for the network), and answers with the result. receive has checked
// the token.
func (s *Session) onCommand(m message) {
	if !s.Leader() {
		return
	}
	cmd := Command{Name: m.Cmd, Digit: m.Digit, CallID: m.CallID, Target: m.Target, Other: m.Other}
	reply := message{Type: msgResult, To: m.From, ID: m.ID}
	if cmd.CallID == "" && !PhoneCommand(cmd.Name) {
		if calls := s.host.Calls(); len(calls) == 1 {
			cmd.CallID = calls[0].CallID
		} else {
			reply.Error = fmt.Sprintf("the leader tab has %d calls: say which", len(calls))
			s.post(reply)
			return
		}
	}
	s.log.Infof("tab %s asks for %s on call %s", m.From, cmd.Name, cmd.CallID)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				s.log.Errorf("%s from tab %s failed: %v", cmd.Name, m.From, r)
				reply.Error = "the leader tab failed"
				s.post(reply)
			}
		}()
		call, err := s.host.Execute(cmd)
		reply.OK, reply.Call, reply.Calls = err == nil, call, s.host.Calls()
		if err != nil {
			reply.Error = err.Error()
		}
		s.post(reply)
	}()
}
