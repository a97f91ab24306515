package phone

import "github.com/webphone/exotelsdk/sdk/sipua"

// Status answers checkClientStatus (after "not_initialized" and
// "media_permission_denied", which the browser side decides): the state of the
// connection if it is not up, else the registration state.
//
//   - "connecting": the WebSocket is being opened
//   - "websocket_connection_failed": the last attempt to open it failed
//   - "disconnected": it closed without being asked to
//   - "initial": nothing attempted yet (or registering)
//   - "registered", "unregistered", "terminated": the registration
func (p *Phone) Status() string {
	p.mu.Lock()
	conn := p.conn
	p.mu.Unlock()
	switch conn {
	case connConnecting:
		return "connecting"
	case connFailed:
		return "websocket_connection_failed"
	case connLost:
		return "disconnected"
	}
	switch p.reg.State() {
	case sipua.RegInitial, sipua.RegRegistering:
		return "initial"
	case sipua.RegRegistered:
		return "registered"
	case sipua.RegUnregistered:
		return "unregistered"
	case sipua.RegTerminated:
		return "terminated"
	}
	return "unknown"
}
