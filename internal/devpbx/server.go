// Package devpbx is a development SIP server for trying the SDK without an
// Exotel account: on one loopback port it serves the demo softphone page,
// the SDK build, a small HTTP API, and SIP over WebSocket at /ws, where a
// registrar with digest authentication and a stateful proxy connect the
// browser phones with each other and with a call bot (package bot).
//
// It is made for one developer's machine: it binds to 127.0.0.1 by
// default, keeps everything in memory, and relays signalling only (the
// browsers and the bot exchange media directly).
package devpbx

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
	"github.com/webphone/exotelsdk/internal/devpbx/bot"
)

// DefaultAddr is where the server listens unless told otherwise.
const DefaultAddr = "127.0.0.1:8089"

// Config configures Start. The zero value serves web/demo and dist from
// the working directory on DefaultAddr.
type Config struct {
	// Addr is the host:port for HTTP and SIP over WebSocket; port 0 picks
	// a free one (tests).
	Addr string
	// Domain is the SIP domain (realm, sipdomain); default the host of Addr.
	Domain string
	// Users maps users to passwords; default DefaultUsers().
	Users map[string]string
	// Strict accepts only Users; otherwise anyone may register as NAME
	// with the password "pw-NAME".
	Strict bool
	// WebDir and DistDir are the demo page and the SDK build; defaults
	// "web/demo" and "dist".
	WebDir, DistDir string
	// Log receives the server's log; default discards it.
	Log *slog.Logger
	// Bot tunes the call bot (Domain, Proxy and Log are filled in).
	Bot bot.Config
}

// Server is a running development server.
type Server struct {
	cfg    Config
	log    *slog.Logger
	ln     net.Listener
	udp    net.PacketConn
	ua     *sipgo.UserAgent
	web    *http.Server
	users  *Users
	reg    *registrar
	bot    *bot.Bot
	ctx    context.Context // ends on Close (ends event streams)
	cancel context.CancelFunc
	once   sync.Once
}

// raiseUDPMTU lets sipgo carry WebRTC INVITEs over UDP to the bot: their
// SDP with candidates passes its default 1500 bytes, which is fine on
// loopback (MTU 64 KiB). It changes a sipgo package variable, once.
var raiseUDPMTU = sync.OnceFunc(func() {
	if sip.UDPMTUSize < 60000 {
		sip.UDPMTUSize = 60000
	}
})

// noDNS is the server's resolver: every peer is an IP address, and a
// browser's Contact host is a made-up .invalid name that must not go to DNS
// (sipgo tries when a WebSocket has closed before it could answer).
var noDNS = &net.Resolver{PreferGo: true, Dial: func(context.Context, string, string) (net.Conn, error) {
	return nil, errors.New("devpbx resolves no host names")
}}

// Start listens, starts the bot and serves until Close.
func Start(cfg Config) (*Server, error) {
	if cfg.Addr == "" {
		cfg.Addr = DefaultAddr
	}
	if cfg.Users == nil {
		cfg.Users = DefaultUsers()
	}
	if cfg.WebDir == "" {
		cfg.WebDir = "web/demo"
	}
	if cfg.DistDir == "" {
		cfg.DistDir = "dist"
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	raiseUDPMTU()
	s := &Server{cfg: cfg, log: cfg.Log}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	if err := s.start(); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func (s *Server) start() error {
	var err error
	if s.ln, err = net.Listen("tcp", s.cfg.Addr); err != nil {
		return err
	}
	tcp := s.ln.Addr().(*net.TCPAddr)
	host := tcp.IP.String()
	if s.cfg.Domain == "" {
		s.cfg.Domain = host
	}
	if s.udp, err = net.ListenPacket("udp", net.JoinHostPort(host, "0")); err != nil {
		return err
	}
	udp := s.udp.LocalAddr().(*net.UDPAddr)

	s.users = NewUsers(s.cfg.Users, s.cfg.Strict)
	for user := range bot.Users {
		s.users.Reserve(user)
	}
	auth := newAuthenticator(s.cfg.Domain, s.users)
	s.reg = newRegistrar(s.users, auth, s.log.With("part", "registrar"))

	s.ua, err = sipgo.NewUA(sipgo.WithUserAgent("devpbx"), sipgo.WithUserAgentHostname(host),
		sipgo.WithUserAgentDNSResolver(noDNS),
		sipgo.WithUserAgentTransactionLayerOptions(sip.WithTransactionLayerTerminateOnConnClose()))
	if err != nil {
		return err
	}
	srv, err := sipgo.NewServer(s.ua)
	if err != nil {
		return err
	}
	client, err := sipgo.NewClient(s.ua, sipgo.WithClientHostname(host))
	if err != nil {
		return err
	}

	botCfg := s.cfg.Bot
	botCfg.Domain, botCfg.Proxy, botCfg.Log = s.cfg.Domain, udp.String(), s.log.With("part", "bot")
	if s.bot, err = bot.Start(botCfg); err != nil {
		return err
	}
	for user := range bot.Users {
		s.reg.addStatic(user, s.bot.Contact(user), flow{transport: "UDP", addr: s.bot.Addr()})
	}

	p := &proxy{client: client, reg: s.reg, auth: auth, log: s.log.With("part", "proxy"),
		host: host, wsPort: tcp.Port, udpPort: udp.Port,
		udpAddr: sip.Addr{IP: udp.IP, Port: udp.Port, Hostname: host}, botAddr: s.bot.Addr()}
	p.serve(srv)

	wsLn, webLn := newSplitListener(s.ln, func(raddr string) { s.reg.dropFlow(flow{transport: "WS", addr: raddr}) })
	go func() { _ = srv.ServeWS(wsLn) }()
	go func() { _ = srv.ServeUDP(s.udp) }()
	s.web = &http.Server{Handler: s.handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.web.Serve(webLn) }()
	// Requests to the bot must leave from the served UDP socket.
	for i := 0; ; i++ {
		if c, _ := s.ua.TransportLayer().GetConnection("udp", udp.String()); c != nil {
			break
		}
		if i > 400 {
			return fmt.Errorf("devpbx: sipgo did not start serving %s", udp)
		}
		time.Sleep(5 * time.Millisecond)
	}
	s.log.Info("devpbx listening", "url", s.URL(), "sip", s.WSURL(), "domain", s.cfg.Domain, "udp", udp.String())
	return nil
}

// URL is the demo page, e.g. http://127.0.0.1:8089/.
func (s *Server) URL() string { return "http://" + s.hostPort() + "/" }

// WSURL is the SIP over WebSocket endpoint, e.g. ws://127.0.0.1:8089/ws.
func (s *Server) WSURL() string { return "ws://" + s.hostPort() + "/ws" }

func (s *Server) hostPort() string {
	a := s.ln.Addr().(*net.TCPAddr)
	return net.JoinHostPort(a.IP.String(), strconv.Itoa(a.Port))
}

// Domain is the SIP domain (sipdomain) accounts use.
func (s *Server) Domain() string { return s.cfg.Domain }

// Bot is the server's call bot.
func (s *Server) Bot() *bot.Bot { return s.bot }

// Registered lists the users registered now, with their number of contacts.
func (s *Server) Registered() map[string]int { return s.reg.registered() }

// Close hangs up the bot's calls and stops serving. It is safe to call
// more than once.
func (s *Server) Close() {
	s.once.Do(func() {
		s.cancel()
		if s.bot != nil {
			s.bot.Close()
		}
		if s.web != nil {
			_ = s.web.Close()
		}
		if s.ln != nil {
			_ = s.ln.Close()
		}
		if s.ua != nil {
			_ = s.ua.Close()
		}
		if s.udp != nil {
			_ = s.udp.Close()
		}
	})
}
