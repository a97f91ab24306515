package bot

import (
	"context"
	"sync"
	"time"

	"github.com/emiago/sipgo"
)

// Call states, as events and CallInfo report them.
const (
	StateRinging   = "ringing"
	StateConnected = "connected"
	StateEnded     = "ended"
)

// Call is one call of the bot, answered or placed.
type Call struct {
	bot      *Bot
	id       string // SIP Call-ID
	user     string // the other party
	mode     Mode
	outgoing bool
	ss       *sipgo.DialogServerSession // answered calls
	cs       *sipgo.DialogClientSession // placed calls
	media    *session
	stopRing context.CancelFunc // placed calls: gives up ringing (CANCEL)

	mu       sync.Mutex
	state    string
	digits   []rune
	reason   string
	started  time.Time
	answered time.Time
	done     chan struct{}
	// referring: our REFER of the caller waits for its final NOTIFY (transfer.go).
	referring bool
}

// CallInfo is a snapshot of a call for the server's HTTP API.
type CallInfo struct {
	ID        string    `json:"call"`
	User      string    `json:"user"`
	Mode      Mode      `json:"mode"`
	Direction string    `json:"direction"` // "incoming": the user called the bot
	State     string    `json:"state"`
	Digits    string    `json:"digits"`
	Reason    string    `json:"reason,omitempty"`
	Started   time.Time `json:"started"`
}

func newCall(b *Bot, id, user string, mode Mode, outgoing bool) *Call {
	return &Call{bot: b, id: id, user: user, mode: mode, outgoing: outgoing,
		state: StateRinging, started: time.Now(), done: make(chan struct{})}
}

// ID is the call's SIP Call-ID.
func (c *Call) ID() string { return c.id }

// Info is a snapshot of the call.
func (c *Call) Info() CallInfo {
	c.mu.Lock()
	defer c.mu.Unlock()
	dir := "incoming"
	if c.outgoing {
		dir = "outgoing"
	}
	return CallInfo{ID: c.id, User: c.user, Mode: c.mode, Direction: dir, State: c.state,
		Digits: string(c.digits), Reason: c.reason, Started: c.started}
}

// Digits are the DTMF digits the bot received in this call, in order.
func (c *Call) Digits() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return string(c.digits)
}

// Ended reports whether the call is over.
func (c *Call) Ended() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// Done is closed when the call ends.
func (c *Call) Done() <-chan struct{} { return c.done }

// HeardLevel is the level (dBFS, -100 for silence) of the audio the bot
// received in the last window: proof that the other side's microphone
// reaches it.
func (c *Call) HeardLevel(window time.Duration) float64 {
	if m := c.session(); m != nil {
		return m.Recv.Level(window)
	}
	return -100
}

// OnHold reports whether the other side has put the bot on hold (its last
// offer was sendonly or inactive).
func (c *Call) OnHold() bool {
	if m := c.session(); m != nil {
		return m.OnHold()
	}
	return false
}

// PacketsSent counts the RTP packets the bot sent in this call.
func (c *Call) PacketsSent() int {
	if m := c.session(); m != nil {
		return m.Send.Packets()
	}
	return 0
}

func (c *Call) session() *session {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.media
}

// connected marks the call answered and starts the bot's time limit.
func (c *Call) connected() {
	c.mu.Lock()
	if c.state != StateRinging {
		c.mu.Unlock()
		return
	}
	c.state, c.answered = StateConnected, time.Now()
	c.mu.Unlock()
	c.bot.log.Info("bot call connected", "call", c.id, "user", c.user, "mode", c.mode)
	c.publish("call", "")
	go c.watch()
}

// watch ends a call that lasts too long, or whose other side went away
// without a BYE (a closed tab): no RTP for MediaTimeout.
func (c *Call) watch() {
	limit := time.After(c.bot.cfg.MaxDuration)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	start := time.Now()
	for {
		select {
		case <-c.done:
			return
		case <-limit:
			c.hangup("the call reached its time limit")
			return
		case <-tick.C:
			if m := c.session(); m != nil && m.Recv.SilentFor(start) > c.bot.cfg.MediaTimeout {
				c.hangup("no audio from the other side")
				return
			}
		}
	}
}

// addDigit records a digit the bot received and plays it back.
func (c *Call) addDigit(d rune) {
	c.mu.Lock()
	if c.state == StateEnded {
		c.mu.Unlock()
		return
	}
	c.digits = append(c.digits, d)
	m := c.media
	c.mu.Unlock()
	c.bot.log.Info("bot heard a digit", "call", c.id, "digit", string(d))
	if m != nil {
		m.play.readBack(d)
	}
	c.publish("digit", string(d))
	if d == TransferDigit && !c.outgoing && c.ss.InviteRequest.Recipient.User == "bot" {
		go c.transferCaller(TransferTarget)
	}
}

// Hangup ends the call from the bot's side: BYE when answered, CANCEL
// while a call it placed rings, 480 while a call to it rings.
func (c *Call) Hangup() { c.hangup("hung up by the bot") }

func (c *Call) hangup(reason string) {
	c.mu.Lock()
	state := c.state
	c.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	switch {
	case state == StateEnded:
		return
	case state == StateConnected && c.outgoing:
		_ = c.cs.Bye(ctx)
	case state == StateConnected:
		_ = c.ss.Bye(ctx)
	case c.outgoing:
		c.stopRing()
		return // the INVITE's outcome ends the call
	default:
		_ = c.ss.Respond(480, "Temporarily Unavailable", nil)
	}
	c.end(reason)
}

// end marks the call over (the first reason stays) and stops its media.
func (c *Call) end(reason string) {
	c.mu.Lock()
	if c.state == StateEnded {
		c.mu.Unlock()
		return
	}
	c.state, c.reason = StateEnded, reason
	m := c.media
	close(c.done)
	c.mu.Unlock()
	if m != nil {
		m.Close()
	}
	c.bot.log.Info("bot call ended", "call", c.id, "user", c.user, "reason", reason)
	c.publish("call", "")
}

func (c *Call) publish(kind, digit string) {
	i := c.Info()
	c.bot.publish(Event{Type: kind, Call: i.ID, User: i.User, State: i.State, Digit: digit, Digits: i.Digits, Reason: i.Reason})
}
