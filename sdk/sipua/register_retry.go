package sipua

import (
	"strconv"
	"strings"
	"time"

	"github.com/emiago/sipgo/sip"
)

// How a registration that failed for a reason that may pass is retried: the
// registrar is overloaded or its upstream timed out (408, 480, 5xx, honouring
// Retry-After), or it asked for authentication we cannot give (for example
// only qop="auth-int"). The app hears "terminated" once, for the first
// failure of a series; the retries are silent until one succeeds
// ("registered"). Wrong credentials (a fresh challenge refused), 403, 404 and
// the like are not retried: they need the app.

// Retry backoff: retryBase doubling per consecutive failure up to retryMax,
// with ±25% jitter; a Retry-After is honoured within [retryMin, retryAfterMax].
const (
	retryBase     = 4 * time.Second
	retryMax      = 5 * time.Minute
	retryMin      = time.Second
	retryAfterMax = time.Hour
)

// serverTrouble tells the final responses to REGISTER that say "try again
// later" rather than "you may not".
func serverTrouble(code int) bool {
	return code == 408 || code == 480 || (code >= 500 && code < 600)
}

// retryAfter reads Retry-After (RFC 3261 §20.33: delta-seconds, then an
// optional comment and parameters); 0 when absent or unreadable.
func retryAfter(res *sip.Response) time.Duration {
	h := res.GetHeader("Retry-After")
	if h == nil {
		return 0
	}
	v := strings.TrimSpace(h.Value())
	end := 0
	for end < len(v) && v[end] >= '0' && v[end] <= '9' {
		end++
	}
	n, err := strconv.ParseUint(v[:end], 10, 64)
	if err != nil {
		if end > 0 { // all digits, too many of them
			return retryAfterMax
		}
		return 0
	}
	if n > uint64(retryAfterMax/time.Second) {
		return retryAfterMax
	}
	return max(time.Duration(n)*time.Second, retryMin)
}

// retryDelay is the backoff after failures consecutive failed attempts.
func retryDelay(failures int, jitter float64) time.Duration {
	d := retryBase << min(failures, 16)
	if d > retryMax || d <= 0 {
		d = retryMax
	}
	return time.Duration(float64(d) * (0.75 + jitter/2))
}

// failed ends an attempt that may succeed later: an un-REGISTER just ends
// (unregistered); a REGISTER reports "terminated" once per series of failures
// and is retried after after (Retry-After) or the backoff.
func (r *Registration) failed(gen int, unregister bool, status int, reason string, after time.Duration) {
	if unregister {
		r.finish(gen, true, RegEvent{Reason: reason, Status: status})
		return
	}
	r.mu.Lock()
	if r.gen != gen {
		r.mu.Unlock()
		return
	}
	gen = r.abandonLocked()
	delay := after
	if delay <= 0 {
		delay = retryDelay(r.failures, r.jitter())
	}
	first := r.failures == 0
	r.failures++
	r.state = RegTerminated
	r.refresh = r.clock.AfterFunc(delay, func() {
		r.log.Safely("registration retry", func() { r.retryNow(gen) })
	})
	r.mu.Unlock()
	r.log.Warnf("registration failed: %s; retrying in %s", reason, delay.Round(time.Millisecond))
	if first {
		r.emit(RegEvent{Kind: "terminated", Reason: reason, Status: status})
	}
}

// retryNow starts the retry planned by failed, unless something else
// (Register, Unregister, a lost connection) happened since.
func (r *Registration) retryNow(gen int) {
	r.mu.Lock()
	if r.gen != gen || r.state != RegTerminated {
		r.mu.Unlock()
		return
	}
	r.state = RegRegistering
	r.gen++
	gen = r.gen
	r.mu.Unlock()
	r.start(gen, false)
}

// forgetChallenge drops the cached challenge, so the next REGISTER goes
// without credentials and gets a fresh one.
func (r *Registration) forgetChallenge() {
	r.mu.Lock()
	r.auth.Forget()
	r.mu.Unlock()
}
