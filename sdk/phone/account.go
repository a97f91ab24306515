// Package phone is one SIP account as the app sees it: it validates the account,
// keeps the WebSocket connection and the registration, owns the account's calls,
// answers checkClientStatus, and reports every change to a Listener in order.
// It is pure Go; the browser is reached only through the interfaces in deps.go.
package phone

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/webphone/exotelsdk/sdk/logs"
	"github.com/webphone/exotelsdk/sdk/sipua"
)

// AccountInfo is the app's sipAccountInfo, field for field.
type AccountInfo struct {
	UserName    string   // key of this phone; passed back as `phone` in every callback
	AuthUser    string   // digest user and AOR user; defaults to UserName
	Secret      string   // digest password; never logged
	SipDomain   string   // AOR domain and registrar
	Domain      string   // "host:port" (or "host") of the WebSocket server
	Port        string   // WebSocket server port
	Security    string   // "wss" (default) or "ws"
	Endpoint    string   // URL path; default "wss"
	DisplayName string   // displayname or displayName
	WSURL       string   // ext: the whole WebSocket URL, overriding the parts above
	WSURLs      []string // ext: several servers, tried in turn
	ContactHost string   // optional; unused in the browser (the Contact host is random .invalid)
	SipURI      string   // optional; derived when empty

	// ext, Many calls: see callLimits for the defaults and the ranges.
	MaxCalls        int      // calls at once, 1..4; 0 means the default, 1
	NoAnswerTimeout float64  // seconds an incoming call rings; 0 means the default, 60
	SessionExpires  *float64 // RFC 4028 interval in seconds; nil means 1800, 0 turns timers off

	// ext, Transfer: acceptTransfers: false refuses a far end's REFER (603).
	RefuseTransfers bool
}

// ErrInvalidAccount wraps every validation failure.
var ErrInvalidAccount = errors.New("invalid sipAccountInfo")

// Validate checks that the account can be used, saying what is missing.
func (a AccountInfo) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrInvalidAccount, fmt.Sprintf(format, args...))
	}
	if strings.TrimSpace(a.UserName) == "" {
		return bad("userName is missing")
	}
	if strings.TrimSpace(a.SipDomain) == "" {
		return bad("sipdomain is missing")
	}
	if strings.ContainsAny(a.SipDomain, " \t\r\n<>\"@;") {
		return bad("sipdomain %q is not a host name", a.SipDomain)
	}
	if strings.ContainsAny(a.authUser(), " \t\r\n<>\"@:;") {
		return bad("authUser %q cannot be a SIP user name", a.authUser())
	}
	urls, err := a.WebSocketURLs()
	if err != nil {
		return bad("%v", err)
	}
	for _, u := range urls {
		p, err := url.Parse(u)
		if err != nil || (p.Scheme != "ws" && p.Scheme != "wss") || p.Hostname() == "" {
			return bad("WebSocket URL %q is not a ws:// or wss:// URL", logs.RedactURL(u))
		}
	}
	return nil
}

func (a AccountInfo) authUser() string {
	if a.AuthUser != "" {
		return a.AuthUser
	}
	return a.UserName
}

// WebSocketURLs gives the servers to connect to, in order of preference:
// wsUrls, else wsUrl, else `${security}://${host}:${port}/${endpoint}` as
// Exotel 3.x builds it.
func (a AccountInfo) WebSocketURLs() ([]string, error) {
	if len(a.WSURLs) > 0 {
		return a.WSURLs, nil
	}
	if a.WSURL != "" {
		return []string{a.WSURL}, nil
	}
	host, port := strings.TrimSpace(a.Domain), strings.TrimSpace(a.Port)
	if h, p, err := net.SplitHostPort(host); err == nil {
		host = h
		if port == "" {
			port = p
		}
	}
	if host == "" {
		return nil, errors.New("domain (the WebSocket server host) is missing")
	}
	if port == "" {
		return nil, errors.New("port is missing")
	}
	if n, err := strconv.Atoi(port); err != nil || n <= 0 || n > 65535 {
		return nil, fmt.Errorf("port %q is not a TCP port", port)
	}
	security := strings.ToLower(a.Security)
	if security == "" {
		security = "wss"
	}
	if security != "ws" && security != "wss" {
		return nil, fmt.Errorf("security %q must be ws or wss", a.Security)
	}
	endpoint := strings.TrimPrefix(a.Endpoint, "/")
	if a.Endpoint == "" {
		endpoint = "wss"
	}
	return []string{fmt.Sprintf("%s://%s/%s", security, net.JoinHostPort(host, port), endpoint)}, nil
}

// sipAccount turns the app's account into what the SIP layer needs.
func (a AccountInfo) sipAccount(userAgent string) sipua.Account {
	urls, _ := a.WebSocketURLs()
	return sipua.Account{
		AOR:         sip.Uri{Scheme: "sip", User: a.authUser(), Host: a.SipDomain},
		DisplayName: a.DisplayName,
		Creds:       sipua.Credentials{Username: a.authUser(), Password: a.Secret},
		Registrar:   sip.Uri{Scheme: "sip", Host: a.SipDomain},
		Secure:      len(urls) > 0 && strings.HasPrefix(urls[0], "wss:"),
		UserAgent:   userAgent,
	}
}

// String describes the account for logs, without the secret or the secrets
// a server URL may carry (?token=…).
func (a AccountInfo) String() string {
	urls, _ := a.WebSocketURLs()
	return fmt.Sprintf("user=%s authUser=%s sipdomain=%s servers=%v secret=%s",
		a.UserName, a.authUser(), a.SipDomain, logs.RedactURLs(urls), mask(a.Secret))
}

func mask(secret string) string {
	if secret == "" {
		return "(none)"
	}
	return "(set)"
}

// callLimits are the account's call limits, defaulted and clamped.
type callLimits struct {
	maxCalls       int
	noAnswer       time.Duration
	sessionExpires time.Duration // 0: session timers off
}

// Call limits: defaults and ranges of maxCalls, noAnswerTimeout, sessionExpires.
const (
	defaultMaxCalls       = 1
	maxMaxCalls           = 4
	defaultNoAnswer       = 60 * time.Second
	maxNoAnswer           = time.Hour
	defaultSessionExpires = 1800 * time.Second
	minSessionExpires     = 90 * time.Second // RFC 4028 Min-SE floor
	maxSessionExpires     = 24 * time.Hour
)

// callLimits reads maxCalls, noAnswerTimeout and sessionExpires; a value out
// of range is clamped to the nearest allowed one and logged.
func (a AccountInfo) callLimits(log *logs.Logger) callLimits {
	l := callLimits{maxCalls: defaultMaxCalls, noAnswer: defaultNoAnswer, sessionExpires: defaultSessionExpires}
	switch {
	case a.MaxCalls == 0:
	case a.MaxCalls < 1:
		log.Warnf("maxCalls %d is out of range 1..%d; using 1", a.MaxCalls, maxMaxCalls)
	case a.MaxCalls > maxMaxCalls:
		log.Warnf("maxCalls %d is out of range 1..%d; using %d", a.MaxCalls, maxMaxCalls, maxMaxCalls)
		l.maxCalls = maxMaxCalls
	default:
		l.maxCalls = a.MaxCalls
	}
	if a.NoAnswerTimeout != 0 {
		d := seconds(a.NoAnswerTimeout)
		switch {
		case d < time.Second:
			log.Warnf("noAnswerTimeout %gs is too short; using 1s", a.NoAnswerTimeout)
			l.noAnswer = time.Second
		case d > maxNoAnswer:
			log.Warnf("noAnswerTimeout %gs is too long; using %s", a.NoAnswerTimeout, maxNoAnswer)
			l.noAnswer = maxNoAnswer
		default:
			l.noAnswer = d
		}
	}
	if a.SessionExpires != nil {
		d := seconds(*a.SessionExpires)
		switch {
		case *a.SessionExpires == 0:
			l.sessionExpires = 0
		case d < minSessionExpires:
			log.Warnf("sessionExpires %gs is below the minimum %s; using it", *a.SessionExpires, minSessionExpires)
			l.sessionExpires = minSessionExpires
		case d > maxSessionExpires:
			log.Warnf("sessionExpires %gs is above %s; using it", *a.SessionExpires, maxSessionExpires)
			l.sessionExpires = maxSessionExpires
		default:
			l.sessionExpires = d
		}
	}
	return l
}

// seconds turns a count of seconds into a duration, saturating instead of
// overflowing (NaN counts as zero).
func seconds(s float64) time.Duration {
	switch {
	case s != s:
		return 0
	case s > float64(100*24*time.Hour/time.Second):
		return 100 * 24 * time.Hour
	case s < -float64(100*24*time.Hour/time.Second):
		return -100 * 24 * time.Hour
	}
	return time.Duration(s * float64(time.Second))
}
