package client

// StatusFacts are what checkClientStatus is decided from.
type StatusFacts struct {
	Initialized      bool   // initWebrtc succeeded: there is a phone
	MicrophoneDenied bool   // the permission is refused or no microphone exists
	Phone            string // the phone's own status (phone.Phone.Status)
	Mirrored         string // a follower tab's view of the leader's status; "" if none
}

// Status is checkClientStatus's answer, the first that applies:
// not_initialized, media_permission_denied, then a follower tab's mirror of
// the leader, then the phone's own (connecting, websocket_connection_failed,
// disconnected, initial, registered, unregistered, terminated), else unknown.
func Status(f StatusFacts) string {
	switch {
	case !f.Initialized:
		return "not_initialized"
	case f.MicrophoneDenied:
		return "media_permission_denied"
	case f.Mirrored != "":
		return f.Mirrored
	case f.Phone != "":
		return f.Phone
	}
	return "unknown"
}
