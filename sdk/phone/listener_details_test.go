package phone

import (
	"errors"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Each way a registrar can refuse is reported with a reason an app can act
// on and the SIP status.
func TestTerminatedSaysWhy(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		reason string
	}{
		{"wrong password", 401, ReasonAuthFailed},
		{"proxy auth", 407, ReasonAuthFailed},
		{"forbidden", 403, ReasonForbidden},
		{"no such user", 404, ReasonNotFound},
		{"server error", 500, ReasonRejected},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, func(d *Deps) {
				d.Dialer = newFakeDialer(t, func(req *sip.Request) []string {
					if tc.status == 401 || tc.status == 407 {
						header := "WWW-Authenticate"
						if tc.status == 407 {
							header = "Proxy-Authenticate"
						}
						// A fresh challenge every time: the password is not accepted.
						return []string{simpleReply(req, tc.status, "Unauthorized",
							header+`: Digest realm="example.test", nonce="n`+header[:3]+req.CSeq().Value()+`", qop="auth"`)}
					}
					return []string{simpleReply(req, tc.status, "No")}
				})
			})
			require.True(t, f.phone.Register())
			ev := f.events.wait(t, "register", "terminated")
			assert.Equal(t, tc.reason, ev.failure.Reason)
			assert.Equal(t, tc.status, ev.failure.SipStatus)
			assert.NotEmpty(t, ev.failure.Message)
			assert.NotContains(t, ev.failure.Message, testPassword)
		})
	}
}

func TestTerminatedWithoutAnswerIsATimeout(t *testing.T) {
	f := newFixture(t, func(d *Deps) {
		d.Dialer = newFakeDialer(t, func(*sip.Request) []string { return nil })
	})
	require.True(t, f.phone.Register())
	require.Eventually(t, func() bool { return len(f.clock.Pending()) > 0 }, waitFor, time.Millisecond)
	f.clock.Advance(10 * time.Second)
	ev := f.events.wait(t, "register", "terminated")
	assert.Equal(t, ReasonTimeout, ev.failure.Reason)
	assert.Zero(t, ev.failure.SipStatus)
}

// No server answering the WebSocket is ws-unreachable; the connection events
// show each URL tried, in order, with the attempt count.
func TestUnreachableServersAreReportedPerURL(t *testing.T) {
	f := newFixture(t)
	f.phone.info.WSURLs = []string{"wss://a.example.test/ws", "wss://b.example.test/ws"}
	f.phone.info.WSURL = ""
	f.dialer.failWith(errors.New("refused"))
	require.True(t, f.phone.Register())
	ev := f.events.wait(t, "register", "terminated")
	assert.Equal(t, ReasonWSUnreachable, ev.failure.Reason)
	assert.Contains(t, ev.failure.Message, "b.example.test")
	var got []ConnectionEvent
	for _, e := range f.events.events("connection") {
		got = append(got, e.conn)
	}
	assert.Equal(t, []ConnectionEvent{
		{State: ConnConnecting, URL: "wss://a.example.test/ws", Attempt: 1},
		{State: ConnFailed, URL: "wss://a.example.test/ws", Attempt: 1},
		{State: ConnConnecting, URL: "wss://b.example.test/ws", Attempt: 2},
		{State: ConnFailed, URL: "wss://b.example.test/ws", Attempt: 2},
	}, got)
}

// A connection that opens, drops and comes back is connecting, connected,
// disconnected, connecting, connected; UnRegister ends it disconnected.
func TestConnectionEventsFollowTheWebSocket(t *testing.T) {
	f := newRegisteredFixture(t)
	f.conn.drop(errors.New("1006"))
	f.events.waitRegister(t, "unregistered")
	var pending []time.Duration
	require.Eventually(t, func() bool { pending = f.clock.Pending(); return len(pending) == 1 }, waitFor, time.Millisecond)
	f.clock.Advance(pending[0])
	require.Eventually(t, func() bool { return len(f.events.registerEvents()) == 5 }, waitFor, time.Millisecond)
	f.phone.Unregister()
	require.Eventually(t, func() bool { return len(f.events.events("connection")) == 6 }, waitFor, time.Millisecond)
	url := "wss://sip.example.test/ws"
	var got []ConnectionEvent
	for _, e := range f.events.events("connection") {
		got = append(got, e.conn)
	}
	assert.Equal(t, []ConnectionEvent{
		{State: ConnConnecting, URL: url, Attempt: 1},
		{State: ConnConnected, URL: url, Attempt: 1},
		{State: ConnDisconnected, URL: url},
		{State: ConnConnecting, URL: url, Attempt: 1},
		{State: ConnConnected, URL: url, Attempt: 1},
		{State: ConnDisconnected, URL: url},
	}, got)
}
