package media

import "context"

// Video is what a session that can carry a video stream beside the audio
// offers. The phone finds it with a type assertion on the Session, so a
// session without video (and every audio-only fake) needs none of it.
//
// The video stream's wanted direction is one of:
//   - Inactive: no video (a video m-line already negotiated is offered or
//     answered a=inactive; none is added);
//   - RecvOnly: we see the far end, our camera stays off;
//   - SendRecv: our camera is sent too.
//
// Offer and Answer apply it, combined with hold: while we hold, SendRecv is
// offered sendonly and RecvOnly inactive, and nothing is sent (SetHeld).
type Video interface {
	// SetVideo makes dir the wanted video direction for the next Offer or
	// Answer. SendRecv opens the camera now (its error, e.g. the permission
	// refused, comes back and nothing changes); RecvOnly and Inactive stop it.
	SetVideo(ctx context.Context, dir Direction) error
	// SetVideoMuted stops sending camera frames (muted) or sends them again;
	// no signalling.
	SetVideoMuted(muted bool)
}
