package phone

// CallState is where a call is in its life, as callObj.callState shows it.
// The states and the moves between them are the table below: a call moves
// only along it, and every move is reported to the app as an event of the
// same name. Hold is not a state: a connected call may be held (by us or by
// the far end) and resumed any number of times (Details.Held/RemoteHeld).
type CallState string

// Call states.
const (
	StateIncoming   CallState = "incoming"   // ringing here, not answered
	StateCalling    CallState = "calling"    // our INVITE is out, no ringing yet
	StateRinging    CallState = "ringing"    // the far end rings (180/183)
	StateConnected  CallState = "connected"  // answered and acknowledged
	StateCallEnded  CallState = "callEnded"  // ended here (Hangup, reject, or our INVITE failed)
	StateTerminated CallState = "terminated" // ended by the far end, the network or a timer
)

// EventMissed follows "terminated" for an incoming call that ended before it
// was answered here (the caller cancelled, or noAnswerTimeout passed).
const EventMissed = "missed"

// callTransitions is the call state machine: the states a call may move to
// from each state. A call is born incoming or calling. Anything else is
// refused (and logged) by setState.
var callTransitions = map[CallState][]CallState{
	StateIncoming:  {StateConnected, StateCallEnded, StateTerminated},
	StateCalling:   {StateRinging, StateConnected, StateCallEnded, StateTerminated},
	StateRinging:   {StateConnected, StateCallEnded, StateTerminated},
	StateConnected: {StateCallEnded, StateTerminated},
}

// canMoveTo tells whether the table allows the move from s to next.
func (s CallState) canMoveTo(next CallState) bool {
	for _, to := range callTransitions[s] {
		if to == next {
			return true
		}
	}
	return false
}

// ended tells whether s is a final state.
func (s CallState) ended() bool { return s == StateCallEnded || s == StateTerminated }

// EndCause is callDetails().callEndCause: why a call ended, one of the
// contract's list.
type EndCause string

// End causes.
const (
	CauseHangup       EndCause = "hangup"        // Hangup here after answer, or a CANCEL of ours
	CauseRemoteHangup EndCause = "remote-hangup" // BYE from the far end
	CauseRejected     EndCause = "rejected"      // an incoming call refused here
	CauseBusy         EndCause = "busy"          // 486, 600
	CauseDeclined     EndCause = "declined"      // 603
	CauseNotFound     EndCause = "not-found"     // 404, 484, 604
	CauseUnavailable  EndCause = "unavailable"   // 480, 410, 503
	CauseCanceled     EndCause = "canceled"      // the caller gave up, or 487
	CauseNoAnswer     EndCause = "no-answer"     // noAnswerTimeout, 408
	CauseTransferred  EndCause = "transferred"
	CauseReplaced     EndCause = "replaced"
	CauseNetwork      EndCause = "network"      // the connection, the ACK or a session refresh never came
	CauseMediaFailed  EndCause = "media-failed" // no microphone, unusable SDP, 488
	CauseFailed       EndCause = "failed"       // anything else
)

// causeOfStatus is the end cause of an outgoing call refused with code.
func causeOfStatus(code int) EndCause {
	switch code {
	case 486, 600:
		return CauseBusy
	case 603:
		return CauseDeclined
	case 404, 484, 604:
		return CauseNotFound
	case 480, 410, 503:
		return CauseUnavailable
	case 487:
		return CauseCanceled
	case 408:
		return CauseNoAnswer
	case 488, 606:
		return CauseMediaFailed
	}
	return CauseFailed
}
