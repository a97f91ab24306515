package phone

import (
	"context"
	"time"

	"github.com/webphone/exotelsdk/sdk/clock"
	"github.com/webphone/exotelsdk/sdk/logs"
	"github.com/webphone/exotelsdk/sdk/media"
	"github.com/webphone/exotelsdk/sdk/sipua"
)

// Dialer opens the connection to a SIP server. onFrame receives every frame
// read; onClose is called once when the connection ends after a successful Dial.
// In the browser it is a WebSocket with subprotocol "sip".
type Dialer interface {
	Dial(ctx context.Context, url string, onFrame func([]byte), onClose func(error)) (sipua.Transport, error)
}

// Listener receives the phone's events, one at a time, in the order they
// happened, never while a Phone method called by the app is still running.
type Listener interface {
	RegisterEvent(state string)
	CallEvent(call *Call, event string)
	SessionEvent(state string)
}

// Tones plays the call-progress sounds: "ringtone" for an incoming call,
// "ringbacktone" while an outgoing call rings without early media.
type Tones interface {
	Start(name string)
	Stop(name string)
}

// Deps is what a Phone needs from its environment.
type Deps struct {
	Dialer    Dialer
	Media     media.Factory
	Tones     Tones // may be nil: no tones
	Log       *logs.Logger
	Clock     clock.Clock   // default: the system clock
	UserAgent string        // User-Agent header
	DialWait  time.Duration // give up opening the WebSocket after this; default 10 s
	// RegisterTimeout bounds the wait for the registrar's answer; default 10 s.
	RegisterTimeout time.Duration
	// MediaOptions returns the options for the next call's media (ICE servers,
	// codec, devices), read when a call starts. May be nil.
	MediaOptions func() media.Options
	// DTMFMode is how sendDTMF sends digits; default SIP INFO.
	DTMFMode media.DTMFMode
	// KeepAlive is the RFC 5626 CRLF ping interval; default 25 s, negative
	// turns pings off. PongTimeout is how long a pong may take; default 10 s.
	KeepAlive   time.Duration
	PongTimeout time.Duration
	// ReconnectBase and ReconnectMax bound the reconnect backoff; defaults
	// 500 ms (the first retry comes within 1 s) and 30 s.
	ReconnectBase time.Duration
	ReconnectMax  time.Duration
	// InstanceID is the RFC 5626 +sip.instance UUID this account keeps in
	// this browser (jsbridge remembers it in localStorage); "" or an
	// invalid one makes a fresh one for this page.
	InstanceID string
	// FailbackBase and FailbackMax bound how often, while on a backup
	// server (wsUrls), the first one is probed to move back to it between
	// calls; defaults 30 s and 10 min, a negative FailbackBase turns
	// failback off.
	FailbackBase time.Duration
	FailbackMax  time.Duration
}
