// Package bot is the development server's call bot: a SIP user agent
// (sipgo over UDP on loopback, behind the server's proxy) with WebRTC
// audio (pion, PCMU and RFC 4733 telephone-event only). Dialled as "bot"
// it answers with a chime and plays back, as DTMF tones, every digit it
// receives (SIP INFO or RFC 4733); dialled as "echo" it sends the caller's
// own audio back half a second late. It transfers and can be transferred
// (transfer.go): "*" in a call to "bot" moves the caller to "bot2". It also calls users on request and
// plays the chime when they answer. Each call's digits are kept and
// published as events, so a web page can show what the bot heard.
package bot

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// Mode is what the bot plays in a call.
type Mode string

const (
	// ModeTone plays a chime and reads digits back as DTMF tones.
	ModeTone Mode = "tone"
	// ModeEcho sends back what the caller says, half a second late.
	ModeEcho Mode = "echo"
)

// Users maps the SIP users the bot answers to the mode each selects.
// "bot2" is "bot" again, as the target of a transfer (transfer.go).
var Users = map[string]Mode{"bot": ModeTone, "bot2": ModeTone, "echo": ModeEcho}

// keepCalls is how many finished calls stay listed.
const keepCalls = 50

// Config says where the bot lives.
type Config struct {
	Domain string // SIP domain of the users (From and To of its calls)
	Proxy  string // host:port (UDP) of the server's proxy, where the bot sends requests
	Log    *slog.Logger
	// AnswerAfter is how long the bot rings before answering (default 500 ms).
	AnswerAfter time.Duration
	// MaxDuration ends a call from the bot's side (default 10 minutes).
	MaxDuration time.Duration
	// RingFor is how long a call the bot places may ring (default 60 s).
	RingFor time.Duration
	// MediaTimeout ends a call when no RTP has come for this long: the
	// other side went away without a BYE (default 20 s).
	MediaTimeout time.Duration
}

// Bot is the running call bot.
type Bot struct {
	cfg    Config
	log    *slog.Logger
	ua     *sipgo.UserAgent
	client *sipgo.Client
	server *sipgo.Server
	conn   net.PacketConn
	port   int
	duas   map[string]*sipgo.DialogUA // one per user, for its Contact

	ctx    context.Context // ends on Close
	cancel context.CancelFunc

	mu    sync.Mutex
	calls map[string]*Call // by Call-ID
	order []string         // Call-IDs, oldest first
	// placing holds the Call-IDs of INVITEs the bot is sending that are
	// not in calls yet: a call to itself can arrive back before then.
	placing map[string]bool
	subs    map[chan Event]struct{}
}

// Start binds the bot to a UDP port on 127.0.0.1 and serves calls.
func Start(cfg Config) (*Bot, error) {
	if cfg.Domain == "" || cfg.Proxy == "" {
		return nil, fmt.Errorf("bot: Domain and Proxy are required")
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.AnswerAfter == 0 {
		cfg.AnswerAfter = 500 * time.Millisecond
	}
	if cfg.MaxDuration == 0 {
		cfg.MaxDuration = 10 * time.Minute
	}
	if cfg.RingFor == 0 {
		cfg.RingFor = time.Minute
	}
	if cfg.MediaTimeout == 0 {
		cfg.MediaTimeout = 20 * time.Second
	}
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	laddr := pc.LocalAddr().(*net.UDPAddr)
	b := &Bot{cfg: cfg, log: cfg.Log, conn: pc, port: laddr.Port, duas: map[string]*sipgo.DialogUA{},
		calls: map[string]*Call{}, placing: map[string]bool{}, subs: map[chan Event]struct{}{}}
	b.ctx, b.cancel = context.WithCancel(context.Background())
	b.ua, err = sipgo.NewUA(sipgo.WithUserAgent("devpbx-bot"), sipgo.WithUserAgentHostname("127.0.0.1"))
	if err == nil {
		b.server, err = sipgo.NewServer(b.ua)
	}
	if err == nil {
		b.client, err = sipgo.NewClient(b.ua, sipgo.WithClientHostname("127.0.0.1"), sipgo.WithClientPort(laddr.Port),
			sipgo.WithClientConnectionAddr(laddr.String()))
	}
	if err != nil {
		b.Close()
		return nil, err
	}
	for user := range Users {
		b.duas[user] = &sipgo.DialogUA{Client: b.client, ContactHDR: sip.ContactHeader{Address: b.Contact(user)}}
	}
	b.route()
	go func() { _ = b.server.ServeUDP(pc) }()
	// Requests must leave from the served socket: wait until sipgo has it.
	for i := 0; ; i++ {
		if c, _ := b.ua.TransportLayer().GetConnection("udp", laddr.String()); c != nil {
			break
		}
		if i > 400 {
			b.Close()
			return nil, fmt.Errorf("bot: sipgo did not start serving %s", laddr)
		}
		time.Sleep(5 * time.Millisecond)
	}
	return b, nil
}

// Addr is the bot's UDP address, host:port.
func (b *Bot) Addr() string { return b.conn.LocalAddr().String() }

// Contact is where the server reaches the bot as user.
func (b *Bot) Contact(user string) sip.Uri {
	return sip.Uri{Scheme: "sip", User: user, Host: "127.0.0.1", Port: b.port}
}

// Close hangs up every call and stops the bot.
func (b *Bot) Close() {
	b.mu.Lock()
	calls := make([]*Call, 0, len(b.calls))
	for _, c := range b.calls {
		calls = append(calls, c)
	}
	b.mu.Unlock()
	for _, c := range calls {
		if c.Info().State == StateConnected {
			c.Hangup()
		} else {
			c.end("the server stopped")
		}
	}
	if b.cancel != nil {
		b.cancel()
	}
	if b.ua != nil {
		_ = b.ua.Close()
	}
	_ = b.conn.Close()
}

// Call returns a call by its SIP Call-ID.
func (b *Bot) Call(callID string) (*Call, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	c, ok := b.calls[callID]
	return c, ok
}

// Calls lists the bot's calls, newest first.
func (b *Bot) Calls() []CallInfo {
	b.mu.Lock()
	ids := append([]string(nil), b.order...)
	b.mu.Unlock()
	out := make([]CallInfo, 0, len(ids))
	for i := len(ids) - 1; i >= 0; i-- {
		if c, ok := b.Call(ids[i]); ok {
			out = append(out, c.Info())
		}
	}
	return out
}

// add registers a new call, forgetting the oldest finished ones.
func (b *Bot) add(c *Call) {
	b.mu.Lock()
	b.calls[c.id] = c
	b.order = append(b.order, c.id)
	for len(b.order) > keepCalls {
		old := b.calls[b.order[0]]
		if old != nil && !old.Ended() {
			break
		}
		delete(b.calls, b.order[0])
		b.order = b.order[1:]
	}
	b.mu.Unlock()
}
