package devpbx

import (
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/webphone/exotelsdk/internal/devpbx/bot"
)

// handler is the web side of the server:
//
//	GET  /                   the demo softphone (web/demo)
//	GET  /dist/...           the SDK build (exotelsdk.js, exotelsdk.wasm as application/wasm)
//	GET  /ws                 SIP over WebSocket (subprotocol "sip"); see splitListener
//	GET  /api/config         the SIP domain, the demo accounts and who is registered
//	POST /api/bot/call       {"user":"alice","displayName":"…"}: the bot calls the user
//	GET  /api/bot/calls      the bot's calls, newest first, with the digits it heard
//	GET  /api/bot/digits     ?call=<Call-ID>: the digits the bot heard in that call
//	GET  /api/bot/events     Server-Sent Events: "call" (state) and "digit"
func (s *Server) handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /dist/", http.StripPrefix("/dist/", staticFiles(s.cfg.DistDir)))
	mux.Handle("GET /", staticFiles(s.cfg.WebDir))
	mux.HandleFunc("GET /ws", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "SIP over WebSocket: connect with new WebSocket(url, 'sip')", http.StatusUpgradeRequired)
	})
	mux.HandleFunc("GET /api/config", s.apiConfig)
	mux.HandleFunc("POST /api/bot/call", s.apiBotCall)
	mux.HandleFunc("GET /api/bot/calls", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, s.bot.Calls())
	})
	mux.HandleFunc("GET /api/bot/digits", s.apiBotDigits)
	mux.HandleFunc("GET /api/bot/events", s.apiBotEvents)
	return mux
}

// demoCSP keeps the demo page to its own scripts and styles: even if some
// text reached the page as HTML, no inline script or handler would run.
// WebAssembly needs 'wasm-unsafe-eval'; the account form may point the
// SDK at any WebSocket server.
const demoCSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; " +
	"img-src 'self' data:; connect-src 'self' ws: wss:; media-src 'self' blob: mediastream:; " +
	"object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'"

// staticFiles serves dir uncached (a development build changes under it).
func staticFiles(dir string) http.Handler {
	fs := http.FileServer(http.Dir(dir))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Cache-Control", "no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		switch ext := path.Ext(r.URL.Path); {
		case ext == ".wasm":
			h.Set("Content-Type", "application/wasm")
		case ext == ".html" || strings.HasSuffix(r.URL.Path, "/"):
			h.Set("Content-Security-Policy", demoCSP)
		case ext != "":
			if t := mime.TypeByExtension(ext); t != "" {
				h.Set("Content-Type", t)
			}
		}
		fs.ServeHTTP(w, r)
	})
}

// configResponse tells the demo page how to fill its account form.
type configResponse struct {
	SipDomain  string            `json:"sipdomain"`
	WSPath     string            `json:"endpoint"`
	Users      []string          `json:"users"`
	Passwords  map[string]string `json:"passwords"` // the demo accounts' passwords, to prefill the form
	OpenUsers  bool              `json:"openUsers"` // any NAME registers with "pw-NAME"
	BotUsers   []string          `json:"botUsers"`
	Registered map[string]int    `json:"registered"`
}

func (s *Server) apiConfig(w http.ResponseWriter, _ *http.Request) {
	c := configResponse{SipDomain: s.cfg.Domain, WSPath: "ws", Passwords: map[string]string{},
		OpenUsers: !s.cfg.Strict, Registered: s.reg.registered()}
	for u, pw := range s.cfg.Users {
		c.Users = append(c.Users, u)
		c.Passwords[u] = pw
	}
	for u := range bot.Users {
		c.BotUsers = append(c.BotUsers, u)
	}
	slices.Sort(c.Users)
	slices.Sort(c.BotUsers)
	writeJSON(w, http.StatusOK, c)
}

// botCallRequest is the body of POST /api/bot/call.
type botCallRequest struct {
	User        string `json:"user"`
	DisplayName string `json:"displayName"`
}

// apiBotCall makes the bot call a registered user. Only JSON bodies are
// taken, so another web site cannot make the bot call with a plain form
// post (a cross-origin JSON request needs a preflight this server never
// grants).
func (s *Server) apiBotCall(w http.ResponseWriter, r *http.Request) {
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct != "application/json" {
		writeError(w, http.StatusUnsupportedMediaType, "send a JSON body: {\"user\": \"alice\"}")
		return
	}
	var req botCallRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, "bad JSON: "+err.Error())
		return
	}
	if _, err := s.reg.lookup(req.User); err != nil {
		code, msg := http.StatusConflict, fmt.Sprintf("%s is not registered: register first", req.User)
		if errors.Is(err, errNotFound) {
			code, msg = http.StatusNotFound, fmt.Sprintf("no such user %q", req.User)
		}
		writeError(w, code, msg)
		return
	}
	c, err := s.bot.Dial(req.User, req.DisplayName)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	writeJSON(w, http.StatusAccepted, c.Info())
}

func (s *Server) apiBotDigits(w http.ResponseWriter, r *http.Request) {
	c, ok := s.bot.Call(r.URL.Query().Get("call"))
	if !ok {
		writeError(w, http.StatusNotFound, "the bot has no such call")
		return
	}
	i := c.Info()
	writeJSON(w, http.StatusOK, map[string]string{"call": i.ID, "digits": i.Digits, "state": i.State})
}

// apiBotEvents streams the bot's events as Server-Sent Events until the
// page goes away or the server closes.
func (s *Server) apiBotEvents(w http.ResponseWriter, r *http.Request) {
	flusher, ok := w.(http.Flusher)
	if !ok {
		writeError(w, http.StatusInternalServerError, "streaming unsupported")
		return
	}
	events, stop := s.bot.Subscribe()
	defer stop()
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, "retry: 2000\n\n")
	flusher.Flush()
	ping := time.NewTicker(15 * time.Second)
	defer ping.Stop()
	for {
		select {
		case e, ok := <-events:
			if !ok {
				return
			}
			b, _ := json.Marshal(e)
			fmt.Fprintf(w, "event: %s\ndata: %s\n\n", e.Type, b)
		case <-ping.C:
			fmt.Fprint(w, ": ping\n\n")
		case <-r.Context().Done():
			return
		case <-s.ctx.Done():
			return
		}
		flusher.Flush()
	}
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, map[string]string{"error": msg})
}
