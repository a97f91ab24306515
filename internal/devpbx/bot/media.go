package bot

import (
	"time"

	"github.com/webphone/exotelsdk/internal/pcmu"
)

// heardHistory is how much received audio HeardLevel can look back on.
const heardHistory = 10 * time.Second

// session is the WebRTC side of one bot call (a pcmu.Session) with the
// player that makes what the bot sends.
type session struct {
	*pcmu.Session
	play *player
}

// newSession makes a session; echo selects what the bot sends back, and
// onDigit gets the RFC 4733 digits the other side sends.
func newSession(echo bool, onDigit func(rune)) (*session, error) {
	p := &player{echo: echo}
	s, err := pcmu.NewSession(pcmu.Options{Name: "bot", Source: p,
		ReceiverOptions: pcmu.ReceiverOptions{OnAudio: p.pushEcho, OnDigit: onDigit, History: heardHistory}})
	if err != nil {
		return nil, err
	}
	return &session{Session: s, play: p}, nil
}
