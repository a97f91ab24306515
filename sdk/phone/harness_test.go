package phone

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"github.com/webphone/exotelsdk/sdk/clock/clocktest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/emiago/sipgo/sip"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/webphone/exotelsdk/sdk/logs"
	"github.com/webphone/exotelsdk/sdk/media"
)

const testPassword = "s3cret-pw"

// testAccountInfo is alice@example.test behind wss://sip.example.test/ws.
func testAccountInfo() AccountInfo {
	return AccountInfo{UserName: "alice", AuthUser: "alice", Secret: testPassword,
		SipDomain: "example.test", WSURL: "wss://sip.example.test/ws", DisplayName: "Alice"}
}

// fixture is one Phone wired to fakes: dialer and connection, media, listener, clock.
type fixture struct {
	t       *testing.T
	phone   *Phone
	dialer  *fakeDialer
	conn    *fakeConn // set once connected
	media   *fakeMedia
	events  *fakeListener
	clock   *clocktest.Manual
	book    *logs.Book
	testGID uint64
}

// newFixture makes a phone that has not connected yet. Its registrar answers
// every REGISTER (see registrar); tweak may change the Deps. On cleanup the
// phone is closed, its log printed if the test failed, and no listener call
// may have run on the test's goroutine (inside a Phone method).
func newFixture(t *testing.T, tweak ...func(*Deps)) *fixture {
	return newFixtureFor(t, testAccountInfo(), tweak...)
}

// newFixtureFor is newFixture for another account.
func newFixtureFor(t *testing.T, acct AccountInfo, tweak ...func(*Deps)) *fixture {
	book := logs.NewBook(5000)
	f := &fixture{t: t, media: &fakeMedia{}, events: &fakeListener{}, clock: clocktest.New(),
		book: book, testGID: goroutineID()}
	f.dialer = newFakeDialer(t, registrar(t))
	deps := Deps{Dialer: f.dialer, Media: f.media, Log: book.Logger("phone"), Clock: f.clock,
		UserAgent: "exotel-test/1", KeepAlive: -1}
	for _, fn := range tweak {
		fn(&deps)
	}
	p, err := New(acct, deps, f.events)
	require.NoError(t, err)
	f.phone = p
	t.Cleanup(func() {
		p.Close()
		if t.Failed() {
			t.Logf("phone log:\n%s", book.Text())
			if f.conn != nil {
				t.Logf("sent: %s", f.conn.startLines())
			}
		}
		assert.NotContains(t, f.events.goroutines(), f.testGID,
			"a listener call ran synchronously inside a Phone method")
	})
	return f
}

// newRegisteredFixture makes a phone that is connected and registered.
func newRegisteredFixture(t *testing.T, tweak ...func(*Deps)) *fixture {
	t.Helper()
	return newRegisteredFixtureFor(t, testAccountInfo(), tweak...)
}

// newRegisteredFixtureFor is newRegisteredFixture for another account.
func newRegisteredFixtureFor(t *testing.T, acct AccountInfo, tweak ...func(*Deps)) *fixture {
	t.Helper()
	f := newFixtureFor(t, acct, tweak...)
	require.True(t, f.phone.Register())
	f.conn = f.dialer.waitConn(t)
	f.events.waitRegister(t, "registered")
	return f
}

// registrar answers REGISTER like a digest registrar: a 401 challenge (fresh
// nonce each time) to a REGISTER without credentials, and 200 OK granting the
// asked Expires to one whose credentials verify. Other requests are not its
// business (nil).
func registrar(t *testing.T) func(*sip.Request) []string {
	var nonce atomic.Int32
	return func(req *sip.Request) []string {
		if req.Method != sip.REGISTER {
			return nil
		}
		h := req.GetHeader("Authorization")
		if h == nil {
			return []string{simpleReply(req, 401, "Unauthorized", fmt.Sprintf(
				`WWW-Authenticate: Digest realm="example.test", nonce="rn%d", qop="auth", algorithm=MD5`, nonce.Add(1)))}
		}
		if !checkDigest(t, h.Value(), "REGISTER", testPassword) {
			return []string{simpleReply(req, 403, "Forbidden")}
		}
		exp := header(req, "Expires")
		return []string{simpleReply(req, 200, "OK", "Contact: "+req.Contact().Value(), "Expires: "+exp)}
	}
}

// simpleReply is the text of a response to req with extra header lines.
func simpleReply(req *sip.Request, code int, reason string, extra ...string) string {
	res := sip.NewResponseFromRequest(req, code, reason, nil)
	for _, line := range extra {
		name, value, _ := strings.Cut(line, ":")
		res.AppendHeader(sip.NewHeader(name, strings.TrimSpace(value)))
	}
	return res.String()
}

// authParams splits a Digest credentials or challenge value into its parameters.
func authParams(value string) map[string]string {
	out := map[string]string{}
	value = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(value), "Digest"))
	for value != "" {
		key, rest, ok := strings.Cut(value, "=")
		if !ok {
			break
		}
		key = strings.ToLower(strings.TrimSpace(key))
		rest = strings.TrimSpace(rest)
		var val string
		if strings.HasPrefix(rest, `"`) {
			end := strings.Index(rest[1:], `"`)
			val, rest = rest[1:1+end], rest[2+end:]
		} else {
			val, rest, _ = strings.Cut(rest, ",")
		}
		out[key] = strings.TrimSpace(val)
		value = strings.TrimLeft(strings.TrimSpace(rest), ",")
	}
	return out
}

// md5hex is the lower-case hex MD5 of s, as digest uses it.
func md5hex(s string) string { sum := md5.Sum([]byte(s)); return hex.EncodeToString(sum[:]) }

// checkDigest verifies an MD5 qop=auth Authorization or Proxy-Authorization
// the way a server would, independently of the code under test. It reports
// failures with t.Errorf, so it may run on any goroutine.
func checkDigest(t *testing.T, value, method, password string) bool {
	p := authParams(value)
	ha1 := md5hex(p["username"] + ":" + p["realm"] + ":" + password)
	ha2 := md5hex(method + ":" + p["uri"])
	want := md5hex(ha1 + ":" + p["nonce"] + ":" + p["nc"] + ":" + p["cnonce"] + ":" + p["qop"] + ":" + ha2)
	if p["response"] != want {
		t.Errorf("digest response for %s does not verify: %s", method, value)
		return false
	}
	return true
}

// ring sends fe's INVITE offering sdp (with extra headers), expects 100 and
// 180 and the "incoming" event, and returns the call and the 180.
func (f *fixture) ring(fe *farEnd, sdp string, extra ...string) (*Call, *sip.Response) {
	t := f.t
	t.Helper()
	f.conn.inject(fe.invite(sdp, extra...))
	ringing := f.conn.nextResponse(t, 180)
	fe.learn(ringing)
	return f.events.waitCall(t, StateIncoming), ringing
}

// answer answers c, expects the 200 OK and returns it; the ACK is not sent.
func (f *fixture) answer(c *Call, fe *farEnd) *sip.Response {
	t := f.t
	t.Helper()
	require.NoError(t, c.Answer())
	ok := f.conn.nextResponse(t, 200)
	require.Equal(t, sip.INVITE, ok.CSeq().MethodName)
	fe.learn(ok)
	return ok
}

// connectedIncoming rings the phone from fe, answers and ACKs: the call is connected.
func (f *fixture) connectedIncoming(fe *farEnd) (*Call, *fakeSession) {
	t := f.t
	t.Helper()
	c, _ := f.ring(fe, farSDP(1, media.SendRecv))
	f.answer(c, fe)
	f.conn.inject(fe.ack(fe.inviteCSeq, ""))
	f.events.waitCall(t, StateConnected)
	return c, f.media.session(t, 0)
}
