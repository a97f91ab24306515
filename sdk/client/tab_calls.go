package client

import (
	"errors"
	"fmt"
	"time"

	"github.com/webphone/exotelsdk/sdk/phone"
	"github.com/webphone/exotelsdk/sdk/tabs"
)

// CallControl is what a command from another tab acts on; *phone.Call is one.
type CallControl interface {
	Answer() error
	Hangup() error
	SetMuted(on bool)
	SetHold(on bool) error
	SendDTMF(digit string) error
	Transfer(target string) error
}

// ErrUnknownCommand refuses a command that is not one of tabs' Cmd names.
var ErrUnknownCommand = errors.New("unknown command")

// Dispatch applies a follower tab's command to a call of the leader, as the
// Call object's method of the same name would.
func Dispatch(cmd tabs.Command, call CallControl) error {
	switch cmd.Name {
	case tabs.CmdAnswer:
		return call.Answer()
	case tabs.CmdHangup:
		return call.Hangup()
	case tabs.CmdMute, tabs.CmdUnmute:
		call.SetMuted(cmd.Name == tabs.CmdMute)
		return nil
	case tabs.CmdHold, tabs.CmdUnhold:
		return call.SetHold(cmd.Name == tabs.CmdHold)
	case tabs.CmdDTMF:
		return call.SendDTMF(cmd.Digit)
	case tabs.CmdTransfer:
		return call.Transfer(cmd.Target)
	}
	return fmt.Errorf("%w %q", ErrUnknownCommand, cmd.Name)
}

// Snapshot is what the other tabs are told of a call.
func Snapshot(d phone.Details) tabs.CallSnapshot {
	return tabs.CallSnapshot{
		CallID: d.CallID, CallSid: d.CallSid, Direction: d.CallDirection, RemoteID: d.RemoteID,
		RemoteDisplayName: d.RemoteDisplayName, State: d.CallState, Muted: d.Muted, Held: d.Held, InConference: d.InConference,
		EndReason: d.CallEndReason, StartedMs: unixMs(d.CallStartedTime),
		EstablishedMs: unixMs(d.CallEstablishedTime), EndedMs: unixMs(d.CallEndedTime),
	}
}

// DetailsOf turns another tab's snapshot of a call into the details a local
// call would have; the duration of a call still up runs to now.
func DetailsOf(s tabs.CallSnapshot, now time.Time) phone.Details {
	d := phone.Details{
		CallID: s.CallID, CallSid: s.CallSid, CallState: s.State, CallDirection: s.Direction,
		RemoteDisplayName: s.RemoteDisplayName, RemoteID: s.RemoteID, CallEndReason: s.EndReason,
		CallStartedTime: msTime(s.StartedMs), CallEstablishedTime: msTime(s.EstablishedMs),
		CallEndedTime: msTime(s.EndedMs), Muted: s.Muted, Held: s.Held, InConference: s.InConference,
	}
	if s.EstablishedMs != 0 {
		end := s.EndedMs
		if end == 0 {
			end = now.UnixMilli()
		}
		if end > s.EstablishedMs {
			d.CallDuration = time.Duration(end-s.EstablishedMs) * time.Millisecond
		}
	}
	return d
}

func unixMs(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func msTime(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms)
}
