package e2e

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/webphone/exotelsdk/tests/browser"
	"github.com/webphone/exotelsdk/tests/kamailio"
)

// watchEvents records every on() event of client name in window.seen[name].
const watchEvents = `((name) => {
  window.seen = window.seen || {};
  const seen = window.seen[name] = { registration: [], connection: [], call: [], session: [] };
  const c = harness.clients[name];
  for (const kind of Object.keys(seen)) {
    c.on(kind, (ev) => seen[kind].push(kind === 'call' ? { event: ev.event, phone: ev.phone } : ev));
  }
  return true;
})`

// settle turns a register()/unregister() Promise into {ok, state} or {code, message, sipStatus}.
const settle = `.then(ev => ({ ok: true, state: ev.state, phone: ev.phone }), err => ({ ok: false, code: err.code, message: err.message, sipStatus: err.sipStatus || 0, isError: err instanceof Error }))`

type settled struct {
	OK        bool
	State     string
	Phone     string
	Code      string
	Message   string
	SipStatus int
	IsError   bool
}

type connectionEvent struct {
	State   string
	URL     string
	Attempt int
}

func TestEventsAndPromisesAgainstKamailio(t *testing.T) {
	srv := kamailio.Start(t, kamailio.Options{})
	base := browser.Serve(t)
	page := browser.Launch(t, browser.Options{}).Open(t, base+"/tests/pages/phone.html")
	var ok bool
	page.Eval(t, `harness.create('alice', `+js(t, account(t, srv, "alice"))+`)`, &ok)
	require.True(t, ok)
	page.Eval(t, watchEvents+`('alice')`, nil)
	// A handler removed with off() hears nothing.
	page.Eval(t, `(() => { window.removed = []; const h = ev => window.removed.push(ev);
	  const c = harness.clients.alice; return c.on('registration', h) && c.off('registration', h) && !c.off('registration', h); })()`, &ok)
	assert.True(t, ok, "off() removes the handler once")
	page.Eval(t, `harness.clients.alice.on('nonsense', () => {})`, &ok)
	assert.False(t, ok, "an unknown event name is refused")

	var r settled
	page.Eval(t, `harness.clients.alice.register()`+settle, &r)
	require.True(t, r.OK, "register() resolves: %+v", r)
	assert.Equal(t, "registered", r.State)
	assert.Equal(t, "alice", r.Phone)
	contacts, err := srv.Contacts("alice@" + srv.Domain)
	require.NoError(t, err)
	assert.Len(t, contacts, 1, "Kamailio holds the registration when register() resolves")

	page.Eval(t, `harness.clients.alice.register()`+settle, &r)
	assert.True(t, r.OK, "register() when registered resolves at once")

	page.Eval(t, `harness.clients.alice.unregister()`+settle, &r)
	require.True(t, r.OK, "unregister() resolves: %+v", r)
	assert.Equal(t, "unregistered", r.State)
	contacts, err = srv.Contacts("alice@" + srv.Domain)
	require.NoError(t, err)
	assert.Empty(t, contacts)

	var states []string
	page.Eval(t, `window.seen.alice.registration.map(e => e.state)`, &states)
	assert.Equal(t, []string{"sent_request", "registered", "sent_request", "unregistered"}, states)
	assert.Equal(t, states, events(t, page, "register:alice"), "the Exotel callback heard the same")
	var removed int
	page.Eval(t, `window.removed.length`, &removed)
	assert.Zero(t, removed)
	page.WaitUntil(t, `window.seen.alice.connection.length >= 3`, 5*time.Second)
	var conn []connectionEvent
	page.Eval(t, `window.seen.alice.connection`, &conn)
	wsURL := strings.TrimSuffix(srv.WSURL, "/") + "/ws" // account() has endpoint "ws"
	assert.Equal(t, []connectionEvent{
		{State: "connecting", URL: wsURL, Attempt: 1},
		{State: "connected", URL: wsURL, Attempt: 1},
		{State: "disconnected", URL: wsURL},
	}, conn)
	assert.Empty(t, page.Exceptions())
}

func TestRegisterRejectsWithACode(t *testing.T) {
	srv := kamailio.Start(t, kamailio.Options{})
	base := browser.Serve(t)
	page := browser.Launch(t, browser.Options{}).Open(t, base+"/tests/pages/phone.html?quiet")

	t.Run("wrong password", func(t *testing.T) {
		acct := account(t, srv, "alice")
		acct["secret"] = "not-the-password-x7"
		// A client of its own, to see the callback's third argument whole.
		page.Eval(t, `(() => { const c = harness.clients.alice = new exotelSDK.ExotelWebClient(); window.third = [];
		  return c.initWebrtc(`+js(t, acct)+`, (state, phone, why) => { if (state === 'terminated') { window.third.push(why); } }, () => {}); })()`, nil)
		var r settled
		page.Eval(t, `harness.clients.alice.register()`+settle, &r)
		require.False(t, r.OK)
		assert.True(t, r.IsError)
		assert.Equal(t, "auth-failed", r.Code)
		assert.Equal(t, 401, r.SipStatus)
		assert.NotContains(t, r.Message, "not-the-password-x7")
		// RegisterEventCallBack's terminated carries the same reason.
		var why map[string]any
		page.Eval(t, `window.third[0]`, &why)
		assert.Equal(t, "auth-failed", why["reason"])
		assert.EqualValues(t, 401, why["sipStatus"])
	})

	t.Run("unreachable", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		closed := "ws://" + ln.Addr().String() + "/ws"
		ln.Close() // nothing listens there now
		acct := account(t, srv, "bob")
		acct["wsUrl"] = closed
		page.Eval(t, `harness.create('bob', `+js(t, acct)+`)`, nil)
		page.Eval(t, watchEvents+`('bob')`, nil)
		var r settled
		page.Eval(t, `harness.clients.bob.register()`+settle, &r)
		require.False(t, r.OK)
		assert.Equal(t, "ws-unreachable", r.Code)
		assert.Zero(t, r.SipStatus)
		var conn []connectionEvent
		page.Eval(t, `window.seen.bob.connection.slice(0, 2)`, &conn)
		assert.Equal(t, []connectionEvent{{"connecting", closed, 1}, {"failed", closed, 1}}, conn)
		page.Eval(t, `harness.clients.bob.UnRegister()`, nil) // stop its reconnecting
	})

	t.Run("not initialized", func(t *testing.T) {
		var r settled
		page.Eval(t, `new exotelSDK.ExotelWebClient().register()`+settle, &r)
		assert.Equal(t, "not-initialized", r.Code)
		page.Eval(t, `new exotelSDK.ExotelWebClient().unregister()`+settle, &r)
		assert.Equal(t, "not-initialized", r.Code)
	})
	assert.Empty(t, page.Exceptions())
}

// setLogLevel('warn') keeps debug and info lines (SIP messages among them)
// from the logger callback; 'debug' lets the SIP messages through, as debug lines.
func TestSetLogLevel(t *testing.T) {
	srv := kamailio.Start(t, kamailio.Options{})
	base := browser.Serve(t)
	page := browser.Launch(t, browser.Options{}).Open(t, base+"/tests/pages/phone.html?quiet")
	page.Eval(t, `(() => { window.lines = [];
	  exotelSDK.ExotelWebClient.registerLoggerCallback((level, message) => window.lines.push({ level, message }));
	  return exotelSDK.ExotelWebClient.setLogLevel('warn') && !exotelSDK.ExotelWebClient.setLogLevel('loud'); })()`, nil)
	page.Eval(t, `harness.create('alice', `+js(t, account(t, srv, "alice"))+`).then(() => harness.clients.alice.register())`, nil)
	var levels []string
	page.Eval(t, `[...new Set(window.lines.map(l => l.level))]`, &levels)
	assert.Subset(t, []string{"warn", "error"}, levels, "only warn and error lines at 'warn'")
	var sip int
	page.Eval(t, `window.lines.filter(l => l.message.includes('REGISTER sip:')).length`, &sip)
	assert.Zero(t, sip, "no SIP messages at 'warn'")

	page.Eval(t, `exotelSDK.ExotelWebClient.setLogLevel('debug') && harness.clients.alice.unregister()`, nil)
	page.WaitUntil(t, `window.lines.some(l => l.message.includes('REGISTER sip:'))`, 5*time.Second)
	var sipLevels []string
	page.Eval(t, `[...new Set(window.lines.filter(l => l.message.includes('REGISTER sip:')).map(l => l.level))]`, &sipLevels)
	assert.Equal(t, []string{"debug"}, sipLevels, "SIP messages are debug lines")
	assert.Empty(t, page.Exceptions())
}

// The console gets the SIP traces and info lines (written when the page is
// idle so that they never delay a callback) in the order they were logged,
// and a warning or error after the lines logged before it.
func TestConsoleTracesKeepTheirOrder(t *testing.T) {
	srv := kamailio.Start(t, kamailio.Options{})
	base := browser.Serve(t)
	page := browser.Launch(t, browser.Options{}).Open(t, base+"/tests/pages/phone.html")
	page.Eval(t, `harness.create('alice', `+js(t, account(t, srv, "alice"))+`).then(() => harness.clients.alice.DoRegister())`, nil)
	waitEvent(t, page, "register:alice", "registered", 10*time.Second)
	page.Eval(t, `exotelSDK.ExotelWebClient.setLogLevel('loud')`, nil) // an error line, after the traces
	var sip []string
	require.Eventually(t, func() bool {
		sip = nil
		for _, line := range page.Console() {
			for _, want := range []string{"send REGISTER sip:", "recv SIP/2.0 401", "recv SIP/2.0 200", "registered for", "setLogLevel: the level must be"} {
				if strings.Contains(line, want) {
					sip = append(sip, want)
				}
			}
		}
		return len(sip) >= 6
	}, 10*time.Second, 20*time.Millisecond, "the traces reach the console: %v", sip)
	assert.Equal(t, []string{"send REGISTER sip:", "recv SIP/2.0 401", "send REGISTER sip:", "recv SIP/2.0 200",
		"registered for", "setLogLevel: the level must be"}, sip)
}
