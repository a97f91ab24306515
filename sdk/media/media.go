// Package media is what a call needs from the browser's audio and peer
// connection, as an interface: the phone drives offers and answers in SDP,
// hold, mute and DTMF through it, and jsbridge implements it on pion/webrtc's
// RTCPeerConnection. Tests implement it with plain Go fakes.
package media

import "context"

// Direction is an SDP media direction attribute.
type Direction string

const (
	SendRecv Direction = "sendrecv"
	SendOnly Direction = "sendonly"
	RecvOnly Direction = "recvonly"
	Inactive Direction = "inactive"
)

// DTMFMode selects how digits travel.
type DTMFMode string

const (
	DTMFInfo    DTMFMode = "info"    // SIP INFO application/dtmf-relay (the default)
	DTMFRFC4733 DTMFMode = "rfc4733" // RTP telephone-events through RTCDTMFSender
)

// Options configures a new session.
type Options struct {
	ICEServers       []ICEServer
	PreferredCodec   string // e.g. "PCMU", "opus": moved first in the offer/answer
	NoiseSuppression *bool  // getUserMedia constraint; nil leaves the browser default
	InputDeviceID    string
}

// ICEServer is one STUN or TURN server.
type ICEServer struct {
	URLs       []string
	Username   string
	Credential string
}

// Stats is what getStatistics reports for the audio of a call.
type Stats struct {
	Codec           string  `json:"codec"`
	PacketsSent     uint64  `json:"packetsSent"`
	PacketsReceived uint64  `json:"packetsReceived"`
	BytesSent       uint64  `json:"bytesSent"`
	BytesReceived   uint64  `json:"bytesReceived"`
	PacketsLost     int64   `json:"packetsLost"`
	FractionLost    float64 `json:"fractionLost"`
	Jitter          float64 `json:"jitter"`          // seconds
	RoundTripTime   float64 `json:"roundTripTime"`   // seconds
	AudioLevel      float64 `json:"audioLevel"`      // 0..1, received audio
	LocalAudioLevel float64 `json:"localAudioLevel"` // 0..1, microphone
	// Video is the video stream's figures, nil when the call has no video.
	Video *VideoStats `json:"video,omitempty"`
}

// VideoStats is what getStatistics reports for the video of a call.
type VideoStats struct {
	Codec           string  `json:"codec"`
	FramesSent      uint64  `json:"framesSent"`
	FramesReceived  uint64  `json:"framesReceived"`
	FramesDecoded   uint64  `json:"framesDecoded"`
	FrameWidth      int     `json:"frameWidth"`      // received
	FrameHeight     int     `json:"frameHeight"`     // received
	FramesPerSecond float64 `json:"framesPerSecond"` // received
	SentFrameWidth  int     `json:"sentFrameWidth"`
	SentFrameHeight int     `json:"sentFrameHeight"`
	BytesSent       uint64  `json:"bytesSent"`
	BytesReceived   uint64  `json:"bytesReceived"`
	BitrateSent     float64 `json:"bitrateSent"`     // bits/s over the last 0.5 to 2 s (0 on the first reading)
	BitrateReceived float64 `json:"bitrateReceived"` // bits/s over the last 0.5 to 2 s (0 on the first reading)
}

// Session is the media of one call.
type Session interface {
	// Offer returns a local SDP offer with the given direction (the first offer
	// of an outgoing call, or a re-offer for hold/resume or an ICE restart).
	Offer(ctx context.Context, dir Direction, iceRestart bool) (string, error)
	// Accept applies the remote answer to our last offer; provisional marks an
	// answer in a 18x (early media) that a final one may follow.
	Accept(ctx context.Context, answer string, provisional bool) error
	// Answer applies a remote offer and returns our answer.
	Answer(ctx context.Context, offer string) (string, error)
	// Rollback abandons our last offer (its re-INVITE failed).
	Rollback(ctx context.Context) error
	// SetMuted turns the microphone track off or on.
	SetMuted(muted bool)
	// SetHeld stops sending audio altogether while we hold the call (the far
	// end hears nothing, whatever the mute state) and sends the microphone
	// again when released. The mute state is kept apart.
	SetHeld(held bool)
	// SendDTMF plays one digit as RFC 4733 events.
	SendDTMF(digit rune) error
	// Stats reads the current statistics.
	Stats(ctx context.Context) (Stats, error)
	// OnConnectionState reports the ICE connection state as it changes
	// ("checking", "connected", "disconnected", "failed", …).
	OnConnectionState(func(state string))
	// Close stops the microphone and the peer connection.
	Close()
}

// Factory makes sessions; the first Offer or Answer opens the microphone.
type Factory interface {
	NewSession(opts Options) (Session, error)
}
