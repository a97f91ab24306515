package tabs

import (
	"errors"
	"fmt"
	"github.com/webphone/exotelsdk/sdk/clock"
)

// This file is how a follower acts on the leader's call: a "cmd" message
// with a request id, answered by a "result" addressed to this tab.

// pendingCommand is a forwarded command waiting for its result.
type pendingCommand struct {
	name  string
	done  func(error)
	timer clock.Timer
}

// Forward sends a command for the leader's call (a follower's Answer,
// Hangup, Mute, Hold, DTMF). It fails at once when this tab does not follow
// or the leader has no call; otherwise done is called exactly once, with the
// leader's outcome, or ErrTimeout, or ErrLeaderGone if the leader changes
// first. An empty cmd.CallID means the leader's only call.
func (s *Session) Forward(cmd Command, done func(error)) error {
	if !validCommand(cmd.Name) {
		return fmt.Errorf("unknown command %q", cmd.Name)
	}
	s.mu.Lock()
	if s.role != roleFollower || s.leader == "" {
		s.mu.Unlock()
		return ErrNotFollower
	}
	calls := s.follow.list()
	switch {
	case PhoneCommand(cmd.Name):
		cmd.CallID = ""
	case len(calls) == 0:
		s.mu.Unlock()
		return ErrNoCall
	case cmd.CallID == "" && len(calls) > 1:
		s.mu.Unlock()
		return ErrWhichCall
	case cmd.CallID == "":
		cmd.CallID = calls[0].CallID
	case s.follow.calls[cmd.CallID] == nil:
		s.mu.Unlock()
		return ErrNoCall
	}
	s.seq++
	id := fmt.Sprintf("%s-%d", s.cfg.TabID, s.seq)
	p := &pendingCommand{name: cmd.Name, done: done}
	p.timer = s.cfg.Clock.AfterFunc(commandTimeoutFor(cmd.Name, s.cfg.CommandTimeout), func() { s.finish(id, ErrTimeout) })
	s.pending[id] = p
	s.mu.Unlock()

	s.post(message{Type: msgCmd, ID: id, Cmd: cmd.Name, Digit: cmd.Digit, CallID: cmd.CallID, Target: cmd.Target, Other: cmd.Other})
	return nil
}

// onResult: the leader's answer to a command. Every follower takes the
// call's new state from it (a mute shows in all tabs); the tab that asked
// also gets the outcome.
func (s *Session) onResult(m message) {
	s.mu.Lock()
	if s.role != roleFollower || (s.token != "" && m.Token != s.token) {
		s.mu.Unlock()
		return
	}
	fx := s.onLeaderSpokeLocked(m.From)
	fx = append(fx, s.follow.refresh(m.Call)...)
	skip := ""
	if m.Call != nil {
		skip = m.Call.CallID
	}
	fx = append(fx, s.follow.refreshAll(m.Calls, skip)...) // a conference changes every call
	s.mu.Unlock()
	s.run(fx)
	if m.To != s.cfg.TabID {
		return
	}
	var err error
	if !m.OK {
		err = errors.New(m.Error)
		if m.Error == "" {
			err = errors.New("refused by the leader tab")
		}
	}
	s.finish(m.ID, err)
}

// finish completes a pending command once; later results or timeouts for it
// are ignored.
func (s *Session) finish(id string, err error) {
	s.mu.Lock()
	p := s.pending[id]
	delete(s.pending, id)
	s.mu.Unlock()
	if p == nil {
		return
	}
	p.timer.Stop()
	if err != nil {
		s.log.Warnf("%s in the leader tab: %v", p.name, err)
	}
	p.done(err)
}

// failPendingLocked ends every waiting command with err (the leader they
// were sent to is gone, or this tab left).
func (s *Session) failPendingLocked(err error) []func() {
	var fx []func()
	for id, p := range s.pending {
		delete(s.pending, id)
		p.timer.Stop()
		fx = append(fx, func() { p.done(err) })
	}
	return fx
}
