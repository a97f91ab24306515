package sipua

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/emiago/sipgo/sip"
)

// A registration's lifetime: what the registrar granted, when to refresh it,
// and the 423 Interval Too Brief that asks for a longer one.

// Bounds on a granted lifetime and on the refresh that follows it: a
// registrar granting 9999999999 s must not overflow the refresh delay (a
// REGISTER storm), nor one granting 1 s make us refresh every half second.
const (
	maxGrantedExpires = 24 * 60 * 60 // seconds
	minRefreshDelay   = 5 * time.Second
)

// grantedExpires reads the lifetime the registrar granted our contact: its
// expires parameter in the 2xx, else the Expires header, else what we asked;
// capped at maxGrantedExpires.
func (r *Registration) grantedExpires(res *sip.Response) int {
	for _, h := range res.GetHeaders("Contact") {
		c, ok := h.(*sip.ContactHeader)
		if !ok || c.Address.User != r.id.ContactUser || !strings.EqualFold(c.Address.Host, r.id.ContactHost) {
			continue
		}
		if v, ok := c.Params.Get("expires"); ok {
			if n, ok := parseSeconds(v); ok {
				return n
			}
		}
	}
	if h := res.GetHeader("Expires"); h != nil {
		if n, ok := parseSeconds(h.Value()); ok {
			return n
		}
	}
	return r.expires
}

// parseSeconds reads a positive delta-seconds value (RFC 3261 §25.1), capping
// it at maxGrantedExpires; values too large for any integer are capped too.
func parseSeconds(v string) (int, bool) {
	v = strings.TrimSpace(v)
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		var numErr *strconv.NumError
		if errors.As(err, &numErr) && numErr.Err == strconv.ErrRange {
			return maxGrantedExpires, true
		}
		return 0, false
	}
	if n == 0 {
		return 0, false
	}
	return int(min(n, maxGrantedExpires)), true
}

// raiseExpires takes Min-Expires from a 423 and reports whether retrying with it makes sense.
func (r *Registration) raiseExpires(res *sip.Response) bool {
	h := res.GetHeader("Min-Expires")
	if h == nil {
		return false
	}
	min, err := strconv.Atoi(strings.TrimSpace(h.Value()))
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil || min <= r.expires || min > 86400 {
		return false
	}
	r.log.Infof("server wants Expires ≥ %d (423); retrying with it", min)
	r.expires = min
	return true
}

// refreshNow re-registers in the background; success is not a new event.
func (r *Registration) refreshNow(gen int) {
	r.mu.Lock()
	if r.gen != gen || r.state != RegRegistered {
		r.mu.Unlock()
		return
	}
	r.gen++
	gen = r.gen
	r.mu.Unlock()
	r.start(gen, false)
}

// refreshDelay picks when to refresh a registration granted for expires
// seconds: for long grants a random point between half the lifetime and 32 s
// before it ends (as JsSIP and RFC 5626 §4.4.1 do), for short ones 5 s before;
// never sooner than minRefreshDelay, whatever was granted.
func refreshDelay(expires int, jitter float64) time.Duration {
	expires = max(0, min(expires, maxGrantedExpires))
	e := time.Duration(expires) * time.Second
	var d time.Duration
	switch {
	case expires > 64:
		d = e/2 + time.Duration(jitter*float64(e/2-32*time.Second))
	case expires > 10:
		d = e - 5*time.Second
	default:
		d = e / 2
	}
	return max(d, minRefreshDelay)
}

// flowTimerOf reads a REGISTER 2xx's Flow-Timer (RFC 5626 §4.4.1): the
// seconds within which the registrar wants a keep-alive; 0 without one.
// Values over maxGrantedExpires are ignored.
func flowTimerOf(res *sip.Response) time.Duration {
	h := res.GetHeader("Flow-Timer")
	if h == nil {
		return 0
	}
	n, ok := parseSeconds(h.Value())
	if !ok || n == 0 || n > maxGrantedExpires {
		return 0
	}
	return time.Duration(n) * time.Second
}

// FlowTimer is the registrar's last Flow-Timer, 0 when it sent none.
func (r *Registration) FlowTimer() time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.flowTimer
}
