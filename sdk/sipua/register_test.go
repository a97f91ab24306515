package sipua

import (
	"fmt"
	"github.com/webphone/exotelsdk/sdk/clock/clocktest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const password = "s3cret-pw"

type regFixture struct {
	ua    *UA
	srv   *fakeServer
	clock *clocktest.Manual
	ev    *events
	reg   *Registration
	id    Identity
	book  interface{ Text() string }
}

func newRegFixture(t *testing.T, respond func(*sip.Request) []string) *regFixture {
	book, log := testLogger()
	ua := NewUA(log)
	t.Cleanup(ua.Close)
	f := &regFixture{ua: ua, clock: clocktest.New(), ev: newEvents(), id: NewIdentity(), book: book}
	f.srv = newFakeServer(t, ua, respond)
	acct := &Account{
		AOR:       sip.Uri{Scheme: "sip", User: "alice", Host: "example.test"},
		Registrar: sip.Uri{Scheme: "sip", Host: "example.test"},
		Creds:     Credentials{Username: "alice", Password: password},
		Secure:    true,
	}
	f.reg = NewRegistration(ua, acct, &f.id, f.clock, log, RegistrationConfig{}, f.ev.emit)
	f.reg.jitter = func() float64 { return 0 }
	return f
}

// digestServer challenges every REGISTER without valid credentials and accepts
// valid ones, granting what was asked. Each challenge has a fresh nonce.
func digestServer(t *testing.T, algorithm string) func(*sip.Request) []string {
	var n atomic.Int32
	return func(req *sip.Request) []string {
		if h := req.GetHeader("Authorization"); h != nil {
			verifyDigest(t, h.Value(), "REGISTER", password)
			exp := req.GetHeader("Expires").Value()
			return []string{reply(req, 200, "OK", "Contact: "+req.Contact().Value(), "Expires: "+exp)}
		}
		return []string{reply(req, 401, "Unauthorized",
			fmt.Sprintf(`WWW-Authenticate: Digest realm="example.test", nonce="nonce%d", qop="auth", algorithm=%s`, n.Add(1), algorithm))}
	}
}

func TestRegisterWithDigestMD5(t *testing.T) {
	f := newRegFixture(t, digestServer(t, "MD5"))
	f.reg.Register()
	f.ev.wait(t, "registered")
	assert.Equal(t, []string{"sent_request", "registered"}, f.ev.kinds())
	assert.Equal(t, RegRegistered, f.reg.State())

	reqs := f.srv.requests()
	require.Len(t, reqs, 2)
	first, second := reqs[0], reqs[1]
	assert.Equal(t, "sip:example.test", first.Recipient.String())
	assert.Nil(t, first.GetHeader("Authorization"))
	assert.Equal(t, first.CallID().Value(), second.CallID().Value(), "one Call-ID for the registration")
	assert.Equal(t, first.CSeq().SeqNo+1, second.CSeq().SeqNo)
	assert.Equal(t, "WSS", first.Via().Transport)
	contact := second.Contact()
	assert.Equal(t, "ws", contact.Address.UriParams.GetOr("transport", ""))
	assert.True(t, strings.HasSuffix(contact.Address.Host, ".invalid"), contact.Address.Host)
	assert.Equal(t, "1", contact.Params.GetOr("reg-id", ""))
	assert.Contains(t, contact.Params.GetOr("+sip.instance", ""), "<urn:uuid:")
	assert.Equal(t, "300", second.GetHeader("Expires").Value())
	p := verifyDigest(t, second.GetHeader("Authorization").Value(), "REGISTER", password)
	assert.Equal(t, "00000001", p["nc"])
	assert.Equal(t, "sip:example.test", p["uri"])
	assert.NotContains(t, f.book.Text(), password, "the password is never logged")
	assert.NotContains(t, f.book.Text(), p["response"], "the digest response is never logged")
}

func TestRegisterPrefersSHA256(t *testing.T) {
	f := newRegFixture(t, func(req *sip.Request) []string {
		if h := req.GetHeader("Authorization"); h != nil {
			p := verifyDigest(t, h.Value(), "REGISTER", password)
			assert.Equal(t, "SHA-256", p["algorithm"])
			return []string{reply(req, 200, "OK", "Expires: 300")}
		}
		return []string{reply(req, 401, "Unauthorized",
			`WWW-Authenticate: Digest realm="r", nonce="a", qop="auth", algorithm=MD5`,
			`WWW-Authenticate: Digest realm="r", nonce="b", qop="auth", algorithm=SHA-256`)}
	})
	f.reg.Register()
	f.ev.wait(t, "registered")
}

func TestRefreshIsSilentAndReusesTheNonce(t *testing.T) {
	f := newRegFixture(t, digestServer(t, "MD5"))
	f.reg.Register()
	f.ev.wait(t, "registered")
	f.srv.next(t)
	f.srv.next(t)
	// Granted 300 s and no jitter: the refresh is due at 150 s, not before.
	require.Equal(t, []time.Duration{150 * time.Second}, f.clock.Pending())
	f.clock.Advance(149 * time.Second)
	select {
	case r := <-f.srv.got:
		t.Fatalf("refreshed too early: %s", r.StartLine())
	case <-time.After(50 * time.Millisecond):
	}
	f.clock.Advance(time.Second)
	refresh := f.srv.next(t)
	p := verifyDigest(t, refresh.GetHeader("Authorization").Value(), "REGISTER", password)
	assert.Equal(t, "00000002", p["nc"], "the cached nonce is reused with the next count")
	require.Eventually(t, func() bool { return len(f.clock.Pending()) == 1 }, 2*time.Second, 5*time.Millisecond)
	assert.Equal(t, []string{"sent_request", "registered"}, f.ev.kinds(), "a refresh is not a new registration")
}

func TestStaleNonceIsRetriedWithoutFailing(t *testing.T) {
	var calls atomic.Int32
	f := newRegFixture(t, func(req *sip.Request) []string {
		switch calls.Add(1) {
		case 1:
			return []string{reply(req, 401, "Unauthorized", `WWW-Authenticate: Digest realm="r", nonce="old", qop="auth"`)}
		case 2:
			verifyDigest(t, req.GetHeader("Authorization").Value(), "REGISTER", password)
			return []string{reply(req, 401, "Unauthorized", `WWW-Authenticate: Digest realm="r", nonce="new", qop="auth", stale=true`)}
		default:
			p := verifyDigest(t, req.GetHeader("Authorization").Value(), "REGISTER", password)
			assert.Equal(t, "new", p["nonce"])
			assert.Equal(t, "00000001", p["nc"])
			return []string{reply(req, 200, "OK")}
		}
	})
	f.reg.Register()
	f.ev.wait(t, "registered")
	assert.Equal(t, []string{"sent_request", "registered"}, f.ev.kinds())
	assert.EqualValues(t, 3, calls.Load())
}

func TestWrongPasswordTerminates(t *testing.T) {
	var n atomic.Int32
	f := newRegFixture(t, func(req *sip.Request) []string {
		return []string{reply(req, 401, "Unauthorized",
			fmt.Sprintf(`WWW-Authenticate: Digest realm="r", nonce="n%d", qop="auth"`, n.Add(1)))}
	})
	f.reg.Register()
	ev := f.ev.wait(t, "terminated")
	assert.ErrorContains(t, fmt.Errorf("%s", ev.Reason), "wrong user name or password")
	assert.Equal(t, 401, ev.Status)
	assert.False(t, ev.Retryable)
	assert.Len(t, f.srv.requests(), 2, "one challenge answered, then give up")
	assert.Equal(t, RegTerminated, f.reg.State())
	assert.Empty(t, f.clock.Pending(), "no refresh scheduled")
}

func TestForbiddenTerminates(t *testing.T) {
	for _, code := range []int{403, 404, 603} {
		f := newRegFixture(t, func(req *sip.Request) []string { return []string{reply(req, code, "No")} })
		f.reg.Register()
		ev := f.ev.wait(t, "terminated")
		assert.Equal(t, fmt.Sprintf("%d No", code), ev.Reason)
		assert.Equal(t, code, ev.Status)
		assert.NotContains(t, f.ev.kinds(), "registered")
	}
}

func TestIntervalTooBriefIsHonoured(t *testing.T) {
	f := newRegFixture(t, func(req *sip.Request) []string {
		if req.GetHeader("Expires").Value() == "300" {
			return []string{reply(req, 423, "Interval Too Brief", "Min-Expires: 600")}
		}
		assert.Equal(t, "600", req.Contact().Params.GetOr("expires", ""))
		return []string{reply(req, 200, "OK", "Expires: 600")}
	})
	f.reg.Register()
	f.ev.wait(t, "registered")
	require.Len(t, f.srv.requests(), 2)
	assert.Equal(t, "600", f.srv.requests()[1].GetHeader("Expires").Value())
}

func TestIntervalTooBriefWithoutMinExpiresTerminates(t *testing.T) {
	f := newRegFixture(t, func(req *sip.Request) []string { return []string{reply(req, 423, "Interval Too Brief")} })
	f.reg.Register()
	f.ev.wait(t, "terminated")
}

func TestNoAnswerTerminatesAfterTheTimeout(t *testing.T) {
	f := newRegFixture(t, nil)
	f.reg.Register()
	f.srv.next(t)
	require.Eventually(t, func() bool { return len(f.clock.Pending()) == 1 }, 2*time.Second, 5*time.Millisecond)
	f.clock.Advance(10 * time.Second)
	ev := f.ev.wait(t, "terminated")
	assert.True(t, ev.Retryable)
	assert.Zero(t, ev.Status, "no SIP status without an answer")
	assert.Contains(t, ev.Reason, "no answer")
}

func TestUnregisterSendsExpiresZero(t *testing.T) {
	f := newRegFixture(t, digestServer(t, "MD5"))
	f.reg.Register()
	f.ev.wait(t, "registered")
	f.reg.Unregister()
	f.ev.wait(t, "unregistered")
	reqs := f.srv.requests()
	last := reqs[len(reqs)-1]
	assert.Equal(t, "0", last.GetHeader("Expires").Value())
	assert.Equal(t, "0", last.Contact().Params.GetOr("expires", ""))
	assert.Equal(t, reqs[0].CallID().Value(), last.CallID().Value())
	assert.NotNil(t, last.GetHeader("Authorization"), "the un-REGISTER is authorized with the cached nonce")
	assert.Equal(t, []string{"sent_request", "registered", "sent_request", "unregistered"}, f.ev.kinds())
	assert.Equal(t, RegUnregistered, f.reg.State())
	assert.Empty(t, f.clock.Pending(), "no refresh after unregistering")
}

func TestRegisterIsIdempotent(t *testing.T) {
	f := newRegFixture(t, nil)
	f.reg.Register()
	f.reg.Register()
	f.srv.next(t)
	select {
	case <-f.srv.got:
		t.Fatal("a second REGISTER was sent while the first was pending")
	case <-time.After(50 * time.Millisecond):
	}
}

func TestConnectionLostAbandonsTheRegistration(t *testing.T) {
	f := newRegFixture(t, digestServer(t, "MD5"))
	f.reg.Register()
	f.ev.wait(t, "registered")
	assert.True(t, f.reg.ConnectionLost())
	assert.Equal(t, RegUnregistered, f.reg.State())
	assert.Empty(t, f.clock.Pending())
	assert.False(t, f.reg.ConnectionLost())
}

func TestRefreshDelay(t *testing.T) {
	assert.Equal(t, 150*time.Second, refreshDelay(300, 0))
	assert.Equal(t, 268*time.Second, refreshDelay(300, 1))
	assert.Equal(t, 55*time.Second, refreshDelay(60, 0.5))
	assert.Equal(t, 5*time.Second, refreshDelay(6, 0.5), "never sooner than the floor")
}

// UnregisterNow writes the un-REGISTER before it returns (a closing page
// runs nothing afterwards).
func TestUnregisterNowSendsSynchronously(t *testing.T) {
	f := newRegFixture(t, digestServer(t, "MD5"))
	f.reg.Register()
	f.ev.wait(t, "registered")
	n := len(f.srv.requests())
	require.True(t, f.reg.UnregisterNow())
	reqs := f.srv.requests()
	require.Len(t, reqs, n+1, "sent before returning")
	assert.Equal(t, "0", reqs[n].GetHeader("Expires").Value())
	verifyDigest(t, reqs[n].GetHeader("Authorization").Value(), "REGISTER", password)
	assert.Equal(t, RegUnregistered, f.reg.State())
	assert.Empty(t, f.clock.Pending())
	assert.False(t, f.reg.UnregisterNow(), "nothing to remove twice")
}
