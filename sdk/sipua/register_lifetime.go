package sipua

import (
	"strconv"
	"strings"
	"time"

	"github.com/emiago/sipgo/sip"
)

// A registration's lifetime: what the registrar granted, when to refresh it,
// and the 423 Interval Too Brief that asks for a longer one.

// grantedExpires reads the lifetime the registrar granted our contact: its
// expires parameter in the 2xx, else the Expires header, else what we asked.
func (r *Registration) grantedExpires(res *sip.Response) int {
	for _, h := range res.GetHeaders("Contact") {
		c, ok := h.(*sip.ContactHeader)
		if !ok || c.Address.User != r.id.ContactUser || !strings.EqualFold(c.Address.Host, r.id.ContactHost) {
			continue
		}
		if v, ok := c.Params.Get("expires"); ok {
			if n, err := strconv.Atoi(v); err == nil && n > 0 {
				return n
			}
		}
	}
	if h := res.GetHeader("Expires"); h != nil {
		if n, err := strconv.Atoi(strings.TrimSpace(h.Value())); err == nil && n > 0 {
			return n
		}
	}
	return r.expires
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
	r.run(gen, false)
}

// refreshDelay picks when to refresh a registration granted for expires
// seconds: for long grants a random point between half the lifetime and 32 s
// before it ends (as JsSIP and RFC 5626 §4.4.1 do), for short ones 5 s before.
func refreshDelay(expires int, jitter float64) time.Duration {
	e := time.Duration(expires) * time.Second
	if expires > 64 {
		return e/2 + time.Duration(jitter*float64(e/2-32*time.Second))
	}
	if expires > 10 {
		return e - 5*time.Second
	}
	return e / 2
}
