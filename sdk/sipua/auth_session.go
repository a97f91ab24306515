package sipua

import (
	"errors"
	"fmt"
	"slices"

	"github.com/emiago/sipgo/sip"
)

// Auth answers digest challenges for one series of requests (a
// registration, a call): it remembers the last challenge so later requests can
// be authorized up front with an incremented nonce count, and it tells a
// legitimate re-challenge (stale nonce) from rejected credentials.
type Auth struct {
	creds     Credentials
	challenge *Challenge
	proxy     bool // the challenge came in Proxy-Authenticate
	nc        uint32
}

// ErrBadCredentials means the server refused our answer to its challenge.
var ErrBadCredentials = errors.New("authentication failed: wrong user name or password")

// ErrUnanswerableChallenge means the server asked for authentication this
// SDK cannot give (no Digest challenge, an unknown algorithm, only
// qop="auth-int").
var ErrUnanswerableChallenge = errors.New("server asked for authentication this SDK cannot answer")

// NewAuth starts answering challenges with creds.
func NewAuth(creds Credentials) *Auth { return &Auth{creds: creds} }

// Challenged takes a 401 or 407. answeredFresh says whether the request that got
// it answered a challenge received earlier in the same attempt (not one cached
// from an older request, which the server may simply have forgotten). It
// returns ErrBadCredentials when that fresh answer was refused without
// stale=true (RFC 7616 §3.3), and ErrUnanswerableChallenge when no challenge
// can be answered. After an error no challenge is cached: the next request
// goes without credentials.
func (a *Auth) Challenged(res *sip.Response, answeredFresh bool) error {
	name := "WWW-Authenticate"
	if res.StatusCode == 407 {
		name = "Proxy-Authenticate"
	}
	var best *Challenge
	var why error
	for _, h := range res.GetHeaders(name) {
		c, err := ParseChallenge(h.Value())
		if err == nil {
			err = answerable(c)
		}
		if err != nil {
			why = err
			continue
		}
		if best == nil || algorithmStrength(c.Algorithm) > algorithmStrength(best.Algorithm) {
			cc := c
			best = &cc
		}
	}
	if best == nil {
		a.Forget()
		if why == nil {
			return fmt.Errorf("%w: no %s header", ErrUnanswerableChallenge, name)
		}
		return fmt.Errorf("%w: %v", ErrUnanswerableChallenge, why)
	}
	if answeredFresh && !best.Stale {
		a.Forget()
		return ErrBadCredentials
	}
	if a.challenge == nil || a.challenge.Nonce != best.Nonce {
		a.nc = 0
	}
	a.challenge = best
	a.proxy = res.StatusCode == 407
	return nil
}

// answerable tells whether Authorization can answer c: qop absent or
// offering "auth" (auth-int, integrity of the body, is not implemented).
func answerable(c Challenge) error {
	if len(c.QOP) == 0 || slices.Contains(c.QOP, "auth") {
		return nil
	}
	return fmt.Errorf("unsupported qop %v", c.QOP)
}

// Forget drops the cached challenge.
func (a *Auth) Forget() { a.challenge, a.nc = nil, 0 }

// Authorize adds our answer to req if we hold a challenge. It returns whether it did.
func (a *Auth) Authorize(req *sip.Request) (bool, error) {
	if a.challenge == nil {
		return false, nil
	}
	a.nc++
	value, err := Authorization(DigestInput{
		Challenge: *a.challenge, Creds: a.creds,
		Method: string(req.Method), URI: req.Recipient.String(), NC: a.nc,
	})
	if err != nil {
		return false, err
	}
	name := "Authorization"
	if a.proxy {
		name = "Proxy-Authorization"
	}
	req.RemoveHeader(name)
	req.AppendHeader(sip.NewHeader(name, value))
	return true, nil
}
