package tabs

import (
	"errors"
	"fmt"
	"time"
)

// Version is the protocol version every message carries; a tab ignores
// messages of another version (a page still running an older SDK).
// Version 2: the leader's calls as a list, commands bound to the leader's token.
const Version = 2

// Message types on the bus.
const (
	msgHello  = "hello"  // a follower joined: the leader answers with "state"
	msgLeader = "leader" // a tab just took the lock: it leads from now on
	msgState  = "state"  // the leader's registration status and calls, in full
	msgCall   = "call"   // a call event of the leader, with the call afterwards
	msgCmd    = "cmd"    // a follower asks the leader to act on its call
	msgResult = "result" // the outcome of a "cmd", for the tab that sent it
	msgLogout = "logout" // the leader unregistered on purpose: nobody takes over
)

// Commands a follower may forward to the leader.
const (
	CmdAnswer = "answer"
	CmdHangup = "hangup"
	CmdMute   = "mute"
	CmdUnmute = "unmute"
	CmdHold   = "hold"
	CmdUnhold = "unhold"
	CmdDTMF   = "dtmf"
	// CmdTransfer is Call.Transfer(Target); CmdAttendedTransfer is
	// Call.AttendedTransfer of the call Other.
	CmdTransfer         = "transfer"
	CmdAttendedTransfer = "attendedTransfer"
	// CmdConference and CmdEndConference act on the leader's phone, not on
	// one call: they name none.
	CmdConference    = "conference"
	CmdEndConference = "endConference"
)

func validCommand(name string) bool {
	switch name {
	case CmdAnswer, CmdHangup, CmdMute, CmdUnmute, CmdHold, CmdUnhold, CmdDTMF,
		CmdTransfer, CmdAttendedTransfer, CmdConference, CmdEndConference:
		return true
	}
	return false
}

// PhoneCommand tells whether a command is for the leader's phone as a
// whole rather than for one of its calls.
func PhoneCommand(name string) bool { return name == CmdConference || name == CmdEndConference }

// commandTimeoutFor is how long a follower waits for the leader's result:
// a transfer waits for the far end's NOTIFY (up to 32 s), the rest are quick.
func commandTimeoutFor(name string, base time.Duration) time.Duration {
	if (name == CmdTransfer || name == CmdAttendedTransfer) && base < 40*time.Second {
		return 40 * time.Second
	}
	return base
}

// CallSnapshot is what the other tabs know of the leader's call: enough for
// the follower's proxy Call object and for SessionCallback. Times are Unix
// milliseconds, 0 when not reached.
type CallSnapshot struct {
	CallID            string
	CallSid           string
	Direction         string
	RemoteID          string
	RemoteDisplayName string
	State             string
	Muted             bool
	Held              bool
	InConference      bool
	StartedMs         int64
	EstablishedMs     int64
	EndedMs           int64
	EndReason         string
}

// Ended reports whether the call is over (ended here or by the far end).
func (c CallSnapshot) Ended() bool { return c.State == "callEnded" || c.State == "terminated" }

// Command is a follower's request for the leader's call.
type Command struct {
	Name   string // one of the Cmd constants
	Digit  string // for CmdDTMF
	Target string // for CmdTransfer: where to, as MakeCall reads it
	Other  string // for CmdAttendedTransfer: the callId of the other call
	CallID string // the call it is for; "" when the leader has one call: that one
}

// message is what travels on the bus, as JSON (message_json.go). Every message names its account (the
// userName), so several accounts in one origin share the channel without
// mixing, and the tab that sent it. The leader's messages carry its token,
// which a command must carry back: a page of the same origin that merely
// posts on the channel cannot make the leader act.
type message struct {
	V       int
	Account string
	From    string
	Type    string
	Token   string         // leader, state, call, result: the leader's; cmd: the one it was given
	Status  string         // leader's checkClientStatus (state, leader)
	Reg     string         // registration event just reported (state)
	Event   string         // call event (call)
	Call    *CallSnapshot  // call: the call of the event; result: the call afterwards
	Calls   []CallSnapshot // leader, state: every call of the leader, oldest first
	ID      string         // request id (cmd, result)
	To      string         // addressee tab (result)
	Cmd     string
	Digit   string
	Target  string // cmd: transfer target
	Other   string // cmd: the other call of an attended transfer
	CallID  string // cmd: the call it is for
	OK      bool
	Error   string
}

// Bounds of a well-formed message: what a real tab sends is far smaller.
const (
	maxMessage  = 64 << 10 // bytes of JSON
	maxField    = 256      // bytes of an id, account, token, status or error
	maxCalls    = 16       // calls in one state
	maxCallText = 1024     // bytes of a call's display name, id or end reason
)

// decode parses a bus message and checks its shape: this protocol version,
// a known type with the fields it needs, and nothing oversized. Anything
// else is an error, and the caller drops it.
func decode(b []byte) (message, error) {
	if len(b) > maxMessage {
		return message{}, fmt.Errorf("message of %d bytes is too large", len(b))
	}
	m, err := parseMessage(b)
	if err != nil {
		return message{}, err
	}
	if m.V != Version {
		return message{}, errors.New("another protocol version")
	}
	if m.Account == "" || m.From == "" || m.Type == "" {
		return message{}, errors.New("account, from and type are required")
	}
	for _, f := range []string{m.Account, m.From, m.Type, m.Token, m.Status, m.Reg, m.Event, m.ID, m.To, m.Cmd, m.CallID, m.Error, m.Target, m.Other} {
		if len(f) > maxField {
			return message{}, errors.New("a field is too long")
		}
	}
	if len(m.Calls) > maxCalls {
		return message{}, fmt.Errorf("%d calls in one message", len(m.Calls))
	}
	for _, c := range append(append([]CallSnapshot(nil), m.Calls...), derefCall(m.Call)...) {
		if err := c.check(); err != nil {
			return message{}, err
		}
	}
	switch m.Type {
	case msgHello, msgLogout:
	case msgLeader, msgState:
		if m.Token == "" {
			return message{}, errors.New("the leader's messages carry its token")
		}
	case msgCall:
		if m.Call == nil || m.Token == "" {
			return message{}, errors.New("a call event needs the call and the leader's token")
		}
	case msgCmd:
		if !validCommand(m.Cmd) || m.ID == "" {
			return message{}, fmt.Errorf("not a command: %q", m.Cmd)
		}
		if m.Cmd == CmdDTMF && len(m.Digit) != 1 {
			return message{}, errors.New("a DTMF command carries one digit")
		}
		if (m.Cmd == CmdTransfer && m.Target == "") || (m.Cmd == CmdAttendedTransfer && m.Other == "") {
			return message{}, errors.New("a transfer command names where to")
		}
	case msgResult:
		if m.ID == "" || m.To == "" {
			return message{}, errors.New("a result needs its id and addressee")
		}
	default:
		return message{}, fmt.Errorf("unknown type %q", m.Type)
	}
	return m, nil
}

func derefCall(c *CallSnapshot) []CallSnapshot {
	if c == nil {
		return nil
	}
	return []CallSnapshot{*c}
}

// check refuses a snapshot no leader would send.
func (c CallSnapshot) check() error {
	if c.CallID == "" {
		return errors.New("a call without callId")
	}
	for _, f := range []string{c.CallID, c.CallSid, c.Direction, c.RemoteID, c.RemoteDisplayName, c.State, c.EndReason} {
		if len(f) > maxCallText {
			return errors.New("a call field is too long")
		}
	}
	return nil
}
