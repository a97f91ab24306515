package sipua

import (
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Registration against what servers send: answers that are odd but real.

// pendingEventually waits until the manual clock holds exactly want timers.
func pendingEventually(t *testing.T, f *regFixture, want ...time.Duration) {
	t.Helper()
	require.Eventually(t, func() bool { return assert.ObjectsAreEqual(want, f.clock.Pending()) },
		2*time.Second, time.Millisecond, "pending timers %v, want %v", f.clock.Pending(), want)
}

// noMoreRequests checks that the UA sends nothing for a while.
func noMoreRequests(t *testing.T, f *regFixture) {
	t.Helper()
	select {
	case r := <-f.srv.got:
		t.Fatalf("unexpected %s", r.StartLine())
	case <-time.After(50 * time.Millisecond):
	}
}

// A challenge the SDK cannot answer (only qop="auth-int") fails once as
// "terminated" with the reason, not as a connection problem (which would
// replace the connection in a loop); the cached challenge is dropped and the
// registration is retried later, silently, with a growing backoff.
func TestUnanswerableChallengeFailsOnceAndRetriesLater(t *testing.T) {
	f := newRegFixture(t, func(req *sip.Request) []string {
		return []string{reply(req, 401, "Unauthorized",
			`WWW-Authenticate: Digest realm="r", nonce="n1", qop="auth-int", algorithm=MD5`)}
	})
	f.reg.Register()
	ev := f.ev.wait(t, "terminated")
	assert.False(t, ev.Retryable, "not a connection problem")
	assert.Contains(t, ev.Reason, "auth-int")
	f.srv.next(t)
	noMoreRequests(t, f)
	pendingEventually(t, f, 3*time.Second) // 4 s backoff, jitter 0 → ×0.75

	f.clock.Advance(3 * time.Second)
	retry := f.srv.next(t)
	assert.Nil(t, retry.GetHeader("Authorization"), "the unanswerable challenge was dropped")
	pendingEventually(t, f, 6*time.Second)
	f.clock.Advance(6 * time.Second)
	f.srv.next(t)
	pendingEventually(t, f, 12*time.Second)
	assert.Equal(t, []string{"sent_request", "terminated"}, f.ev.kinds(), "terminated once, retries are silent")
}

// A lifetime of 9999999999 s is capped at 24 h (it overflowed the refresh
// delay into a REGISTER storm); a lifetime of 1 s is not refreshed sooner
// than the 5 s floor.
func TestGrantedExpiresIsCappedAndFloored(t *testing.T) {
	for granted, want := range map[string]time.Duration{
		"9999999999":              12 * time.Hour, // half of 24 h, jitter 0
		"99999999999999999999999": 12 * time.Hour,
		"1":                       5 * time.Second,
	} {
		t.Run(granted, func(t *testing.T) {
			f := newRegFixture(t, func(req *sip.Request) []string {
				return []string{reply(req, 200, "OK", "Expires: "+granted)}
			})
			f.reg.Register()
			f.ev.wait(t, "registered")
			f.srv.next(t)
			noMoreRequests(t, f)
			pendingEventually(t, f, want)
		})
	}
	assert.Equal(t, 86368*time.Second, refreshDelay(1<<40, 1), "a huge grant: at most 24 h − 32 s")
}

// 408, 500 and 503 to REGISTER are retried, honouring Retry-After, then
// registered; the app hears "terminated" and then "registered".
func TestServerTroubleIsRetriedHonouringRetryAfter(t *testing.T) {
	for _, tc := range []struct {
		code  int
		extra []string
		delay time.Duration
	}{
		{503, []string{"Retry-After: 1"}, time.Second},
		{500, []string{"Retry-After: 20 (maintenance);duration=60"}, 20 * time.Second},
		{408, nil, 3 * time.Second},
		{503, []string{"Retry-After: 99999999999999999999"}, time.Hour},
	} {
		t.Run(fmt.Sprint(tc.code, tc.extra), func(t *testing.T) {
			var n atomic.Int32
			f := newRegFixture(t, func(req *sip.Request) []string {
				if n.Add(1) == 1 {
					return []string{reply(req, tc.code, "Trouble", tc.extra...)}
				}
				return []string{reply(req, 200, "OK", "Expires: 300")}
			})
			f.reg.Register()
			ev := f.ev.wait(t, "terminated")
			assert.Equal(t, fmt.Sprintf("%d Trouble", tc.code), ev.Reason)
			assert.False(t, ev.Retryable)
			pendingEventually(t, f, tc.delay)
			f.clock.Advance(tc.delay)
			f.ev.wait(t, "registered")
			assert.Equal(t, []string{"sent_request", "terminated", "registered"}, f.ev.kinds())
			assert.EqualValues(t, 2, n.Load())
		})
	}
}

// Failures that need the app are not retried.
func TestRefusalsAreNotRetried(t *testing.T) {
	for _, code := range []int{403, 404, 603} {
		f := newRegFixture(t, func(req *sip.Request) []string { return []string{reply(req, code, "No")} })
		f.reg.Register()
		f.ev.wait(t, "terminated")
		f.srv.next(t)
		noMoreRequests(t, f)
		assert.Empty(t, f.clock.Pending(), "%d is not retried", code)
	}
}

// Register while a retry is pending sends at once and cancels the retry.
func TestRegisterDuringARetryWaitSendsAtOnce(t *testing.T) {
	var n atomic.Int32
	f := newRegFixture(t, func(req *sip.Request) []string {
		if n.Add(1) == 1 {
			return []string{reply(req, 503, "Busy")}
		}
		return []string{reply(req, 200, "OK")}
	})
	f.reg.Register()
	f.ev.wait(t, "terminated")
	pendingEventually(t, f, 3*time.Second)
	f.reg.Register()
	f.ev.wait(t, "registered")
	pendingEventually(t, f, 150*time.Second) // only the refresh is left
}

// A panic in the registration's goroutine (here the app's event callback) is
// logged and counts as a failed attempt; it does not stop the program.
func TestPanicInTheRegistrationGoroutineIsLogged(t *testing.T) {
	f := newRegFixture(t, digestServer(t, "MD5"))
	emit := f.ev.emit
	f.reg.emit = func(ev RegEvent) {
		if ev.Kind == "registered" {
			panic("listener exploded")
		}
		emit(ev)
	}
	f.reg.Register()
	f.ev.wait(t, "terminated")
	assert.Contains(t, f.book.Text(), "failed with an internal error: listener exploded")
}

// A panic in the refresh timer's callback (here the transport) is logged;
// the registration is retried later.
func TestPanicInTheRefreshIsLogged(t *testing.T) {
	var explode atomic.Bool
	digest := digestServer(t, "MD5")
	f := newRegFixture(t, func(req *sip.Request) []string {
		if explode.Load() {
			panic("transport exploded")
		}
		return digest(req)
	})
	f.reg.Register()
	f.ev.wait(t, "registered")
	pendingEventually(t, f, 150*time.Second)
	explode.Store(true)
	f.clock.Advance(150 * time.Second)
	f.ev.wait(t, "terminated")
	assert.Contains(t, f.book.Text(), "transport exploded")
	require.Eventually(t, func() bool { return len(f.clock.Pending()) == 1 }, 2*time.Second, time.Millisecond,
		"a retry is planned")
	assert.True(t, strings.Contains(f.book.Text(), "retrying in"))
}
