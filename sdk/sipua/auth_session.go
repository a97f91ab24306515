package sipua

import (
	"errors"

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
// NewAuth starts answering challenges with creds.
func NewAuth(creds Credentials) *Auth { return &Auth{creds: creds} }

var ErrBadCredentials = errors.New("authentication failed: wrong user name or password")

// Challenged takes a 401 or 407. answeredFresh says whether the request that got
// it answered a challenge received earlier in the same attempt (not one cached
// from an older request, which the server may simply have forgotten). It
// returns ErrBadCredentials when that fresh answer was refused without
// stale=true (RFC 7616 §3.3), and an error when there is nothing to answer.
func (a *Auth) Challenged(res *sip.Response, answeredFresh bool) error {
	name := "WWW-Authenticate"
	if res.StatusCode == 407 {
		name = "Proxy-Authenticate"
	}
	var best *Challenge
	for _, h := range res.GetHeaders(name) {
		c, err := ParseChallenge(h.Value())
		if err != nil {
			continue
		}
		if best == nil || algorithmStrength(c.Algorithm) > algorithmStrength(best.Algorithm) {
			cc := c
			best = &cc
		}
	}
	if best == nil {
		return errors.New("server asked for authentication with no supported Digest challenge")
	}
	if answeredFresh && !best.Stale {
		return ErrBadCredentials
	}
	if a.challenge == nil || a.challenge.Nonce != best.Nonce {
		a.nc = 0
	}
	a.challenge = best
	a.proxy = res.StatusCode == 407
	return nil
}

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
