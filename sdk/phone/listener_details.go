package phone

import "github.com/webphone/exotelsdk/sdk/sipua"

// Why a registration ended "terminated", as the app's RegisterEventCallBack
// receives it in its third argument and register() rejects with as the
// Error's code.
const (
	ReasonAuthFailed    = "auth-failed"    // 401/407 again after our credentials: wrong user or password
	ReasonForbidden     = "forbidden"      // 403
	ReasonNotFound      = "not-found"      // 404: no such user at this registrar
	ReasonWSUnreachable = "ws-unreachable" // no WebSocket server answered
	ReasonTimeout       = "timeout"        // the registrar did not answer
	ReasonRejected      = "rejected"       // any other final status
)

// RegisterFailure says why a registration ended "terminated".
type RegisterFailure struct {
	Reason    string // one of the Reason constants
	SipStatus int    // the registrar's final status; 0 when there was none
	Message   string // what happened, for people: "403 Forbidden", "no answer from server"
}

// registerFailure classifies what the registration reported.
func registerFailure(ev sipua.RegEvent) RegisterFailure {
	f := RegisterFailure{SipStatus: ev.Status, Message: ev.Reason}
	switch {
	case ev.Status == 401 || ev.Status == 407:
		f.Reason = ReasonAuthFailed
	case ev.Status == 403:
		f.Reason = ReasonForbidden
	case ev.Status == 404:
		f.Reason = ReasonNotFound
	case ev.Status == 0 && ev.Retryable: // no answer, or the connection went
		f.Reason = ReasonTimeout
	default:
		f.Reason = ReasonRejected
	}
	return f
}

// RegisterFailureListener is a Listener that also wants to know why: it gets
// RegisterFailed instead of RegisterEvent("terminated").
type RegisterFailureListener interface {
	RegisterFailed(f RegisterFailure)
}

// Connection states of the WebSocket as ConnectionListener hears them.
const (
	ConnConnecting   = "connecting"
	ConnConnected    = "connected"
	ConnDisconnected = "disconnected" // closed, on purpose or not
	ConnFailed       = "failed"       // this URL could not be opened
)

// ConnectionEvent is one change of the WebSocket connection.
type ConnectionEvent struct {
	State   string // one of the Conn constants
	URL     string
	Attempt int // opening attempts since the last connection (1 for the first)
}

// ConnectionListener is a Listener that also follows the connection.
type ConnectionListener interface {
	ConnectionEvent(ev ConnectionEvent)
}

// reportTerminated tells the listener that the registration ended, and why.
func (p *Phone) reportTerminated(f RegisterFailure) {
	p.post(func() {
		if l, ok := p.listener.(RegisterFailureListener); ok {
			l.RegisterFailed(f)
			return
		}
		p.listener.RegisterEvent("terminated")
	})
}

// reportConnection tells a ConnectionListener how the connection changed.
func (p *Phone) reportConnection(state, url string, attempt int) {
	if l, ok := p.listener.(ConnectionListener); ok {
		p.post(func() { l.ConnectionEvent(ConnectionEvent{State: state, URL: url, Attempt: attempt}) })
	}
}
