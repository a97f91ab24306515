package tabs

import (
	"encoding/json"
	"errors"
)

// Version is the protocol version every message carries; a tab ignores
// messages of another version (a page still running an older SDK).
const Version = 1

// Message types on the bus.
const (
	msgHello  = "hello"  // a follower joined: the leader answers with "state"
	msgLeader = "leader" // a tab just took the lock: it leads from now on
	msgState  = "state"  // the leader's registration status and call, in full
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
)

func validCommand(name string) bool {
	switch name {
	case CmdAnswer, CmdHangup, CmdMute, CmdUnmute, CmdHold, CmdUnhold, CmdDTMF:
		return true
	}
	return false
}

// CallSnapshot is what the other tabs know of the leader's call: enough for
// the follower's proxy Call object and for SessionCallback. Times are Unix
// milliseconds, 0 when not reached.
type CallSnapshot struct {
	CallID            string `json:"callId"`
	CallSid           string `json:"callSid,omitempty"`
	Direction         string `json:"direction"`
	RemoteID          string `json:"remoteId"`
	RemoteDisplayName string `json:"remoteDisplayName"`
	State             string `json:"state"`
	Muted             bool   `json:"muted"`
	Held              bool   `json:"held"`
	StartedMs         int64  `json:"startedMs,omitempty"`
	EstablishedMs     int64  `json:"establishedMs,omitempty"`
	EndedMs           int64  `json:"endedMs,omitempty"`
	EndReason         string `json:"endReason,omitempty"`
}

// Ended reports whether the call is over (ended here or by the far end).
func (c CallSnapshot) Ended() bool { return c.State == "callEnded" || c.State == "terminated" }

// Command is a follower's request for the leader's call.
type Command struct {
	Name   string // one of the Cmd constants
	Digit  string // for CmdDTMF
	CallID string // the call the follower saw; "" for whatever call the leader has
}

// message is the JSON on the bus. Every message names its account (the
// userName), so several accounts in one origin share the channel without
// mixing, and the tab that sent it.
type message struct {
	V       int           `json:"v"`
	Account string        `json:"account"`
	From    string        `json:"from"`
	Type    string        `json:"type"`
	Status  string        `json:"status,omitempty"` // leader's checkClientStatus (state, leader)
	Reg     string        `json:"reg,omitempty"`    // registration event just reported (state)
	Event   string        `json:"event,omitempty"`  // call event (call)
	Call    *CallSnapshot `json:"call,omitempty"`   // leader's call; nil: none
	ID      string        `json:"id,omitempty"`     // request id (cmd, result)
	To      string        `json:"to,omitempty"`     // addressee tab (result)
	Cmd     string        `json:"cmd,omitempty"`
	Digit   string        `json:"digit,omitempty"`
	CallID  string        `json:"callId,omitempty"` // cmd: the call it is for
	OK      bool          `json:"ok,omitempty"`
	Error   string        `json:"error,omitempty"`
}

func (m message) encode() []byte {
	b, err := json.Marshal(m)
	if err != nil {
		panic(err) // only plain strings, bools and numbers: cannot happen
	}
	return b
}

// decode parses a bus message; anything that is not a well-formed message of
// this protocol version is an error, and the caller drops it.
func decode(b []byte) (message, error) {
	var m message
	if err := json.Unmarshal(b, &m); err != nil {
		return message{}, err
	}
	if m.V != Version {
		return message{}, errors.New("another protocol version")
	}
	if m.Account == "" || m.From == "" || m.Type == "" {
		return message{}, errors.New("account, from and type are required")
	}
	return m, nil
}
