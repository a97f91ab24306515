package e2e

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/webphone/exotelsdk/tests/browser"
	"github.com/webphone/exotelsdk/tests/kamailio"
)

func TestRegisterAndUnregisterAgainstKamailio(t *testing.T) {
	for _, alg := range []string{"MD5", "SHA-256"} {
		t.Run(alg, func(t *testing.T) {
			srv := kamailio.Start(t, kamailio.Options{Algorithm: alg})
			base := browser.Serve(t)
			page := browser.Launch(t, browser.Options{}).Open(t, base+"/tests/pages/phone.html")

			var ok bool
			page.Eval(t, `harness.create('alice', `+js(t, account(t, srv, "alice"))+`)`, &ok)
			require.True(t, ok, "initWebrtc resolves true")
			page.Eval(t, `harness.clients.alice.DoRegister()`, &ok)
			require.True(t, ok, "DoRegister returns true")
			waitEvent(t, page, "register:alice", "registered", 10*time.Second)

			var phones []string
			page.Eval(t, `harness.events.filter(e => e.kind === 'register:alice' && e.args[0] === 'registered').map(e => e.args[1])`, &phones)
			assert.Equal(t, []string{"alice"}, phones, "exactly one registered, with phone = userName")
			assert.Equal(t, "registered", status(t, page, "alice"))

			regs, err := srv.Registrations("alice@" + srv.Domain)
			require.NoError(t, err)
			require.Len(t, regs, 1)
			assert.Contains(t, regs[0].Address, ".invalid")
			assert.Contains(t, regs[0].Address, "transport=ws")
			assert.Contains(t, regs[0].Instance, "urn:uuid:")

			page.Eval(t, `harness.clients.alice.UnRegister()`, nil)
			waitEvent(t, page, "register:alice", "unregistered", 10*time.Second)
			contacts, err := srv.Contacts("alice@" + srv.Domain)
			require.NoError(t, err)
			assert.Empty(t, contacts, "Kamailio no longer holds the contact")
			assert.Equal(t, "unregistered", status(t, page, "alice"))
			assert.Equal(t, []string{"sent_request", "registered", "sent_request", "unregistered"}, events(t, page, "register:alice"))
			assert.Empty(t, page.Exceptions())
		})
	}
}

func TestWrongPasswordTerminates(t *testing.T) {
	srv := kamailio.Start(t, kamailio.Options{})
	base := browser.Serve(t)
	page := browser.Launch(t, browser.Options{}).Open(t, base+"/tests/pages/phone.html")
	acct := account(t, srv, "alice")
	acct["secret"] = "wrong"
	page.Eval(t, `harness.create('alice', `+js(t, acct)+`).then(() => harness.clients.alice.DoRegister())`, nil)
	waitEvent(t, page, "register:alice", "terminated", 15*time.Second)
	assert.NotContains(t, events(t, page, "register:alice"), "registered")
	assert.Equal(t, "terminated", status(t, page, "alice"))
	contacts, err := srv.Contacts("alice@" + srv.Domain)
	require.NoError(t, err)
	assert.Empty(t, contacts)
	assert.Empty(t, page.Exceptions())
}

// socketsInitScript records every WebSocket the page makes, and when.
const socketsInitScript = `
window.sockets = [];
(function () {
  var Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(url, protocols) {
      super(url, protocols);
      sockets.push({ url: url, at: performance.now(), ws: this });
    }
  };
})();`

// An app registers in its first script, before the WebAssembly has loaded;
// the calls are queued and honoured, and the WebSocket is opened while the
// wasm loads (scripts/loader-preconnect.js): one socket, made before the Go
// runtime was ready, is the one that registers.
func TestCallsBeforeTheRuntimeIsReadyAreHonoured(t *testing.T) {
	srv := kamailio.Start(t, kamailio.Options{})
	base := browser.Serve(t)
	q := url.Values{"autoregister": {js(t, account(t, srv, "alice"))}}
	page := browser.Launch(t, browser.Options{}).OpenWith(t, base+"/tests/pages/phone.html?"+q.Encode(),
		browser.OpenOptions{InitScript: socketsInitScript})
	waitEvent(t, page, "register:auto", "registered", 10*time.Second)
	assert.Equal(t, []string{"sent_request", "registered"}, events(t, page, "register:auto"))
	var sockets struct {
		N          int
		URL        string
		BeforeGo   bool
		ReadyState int
	}
	page.Eval(t, `({n: sockets.length, url: sockets[0].url, readyState: sockets[0].ws.readyState,
		beforeGo: sockets[0].at < performance.getEntriesByName('exotelsdk:ready')[0].startTime})`, &sockets)
	assert.Equal(t, 1, sockets.N, "one WebSocket: the early one was taken")
	assert.Equal(t, srv.WSURL+"ws", sockets.URL) // security://domain/endpoint
	assert.True(t, sockets.BeforeGo, "the WebSocket was opened before the Go runtime was ready")
	assert.Equal(t, 1, sockets.ReadyState, "and it is the open one")
	assert.Empty(t, page.Exceptions())
}

// A DoRegister queued while loading whose initWebrtc then fails (no
// userName) opened an early WebSocket that nothing dials: it is closed.
func TestAnEarlySocketNobodyDialsIsClosed(t *testing.T) {
	srv := kamailio.Start(t, kamailio.Options{})
	base := browser.Serve(t)
	acct := account(t, srv, "alice")
	delete(acct, "userName")
	q := url.Values{"autoregister": {js(t, acct)}}
	page := browser.Launch(t, browser.Options{}).OpenWith(t, base+"/tests/pages/phone.html?"+q.Encode(),
		browser.OpenOptions{InitScript: socketsInitScript})
	page.WaitUntil(t, `sockets.length === 1 && sockets[0].ws.readyState === 3`, 10*time.Second)
	var n int
	page.Eval(t, `sockets.length`, &n)
	assert.Equal(t, 1, n)
	assert.Empty(t, events(t, page, "register:auto"), "no registration without a phone")
	assert.Empty(t, page.Exceptions())
}

// Several clients in one page register independently; the same userName twice is refused.
func TestSeveralClientsInOnePage(t *testing.T) {
	srv := kamailio.Start(t, kamailio.Options{})
	base := browser.Serve(t)
	page := browser.Launch(t, browser.Options{}).Open(t, base+"/tests/pages/phone.html")
	for _, user := range []string{"alice", "bob"} {
		page.Eval(t, fmt.Sprintf(`harness.create(%q, %s).then(() => harness.clients[%q].DoRegister())`, user, js(t, account(t, srv, user)), user), nil)
	}
	var dup bool
	page.Eval(t, `harness.create('alice2', `+js(t, account(t, srv, "alice"))+`)`, &dup)
	assert.False(t, dup, "a second client with the same userName is refused")
	for _, user := range []string{"alice", "bob"} {
		waitEvent(t, page, "register:"+user, "registered", 10*time.Second)
		contacts, err := srv.Contacts(user + "@" + srv.Domain)
		require.NoError(t, err)
		assert.Len(t, contacts, 1, user)
	}
	page.Eval(t, `harness.clients.bob.UnRegister()`, nil)
	waitEvent(t, page, "register:bob", "unregistered", 10*time.Second)
	assert.Equal(t, "registered", status(t, page, "alice"), "alice is not affected by bob")
	assert.Empty(t, page.Exceptions())
}

func TestUnreachableServerTerminates(t *testing.T) {
	base := browser.Serve(t)
	page := browser.Launch(t, browser.Options{}).Open(t, base+"/tests/pages/phone.html")
	acct := map[string]string{"userName": "alice", "secret": "x", "sipdomain": "example.test",
		"domain": "127.0.0.1:9", "port": "9", "security": "ws", "endpoint": "ws"}
	page.Eval(t, `harness.create('alice', `+js(t, acct)+`).then(() => harness.clients.alice.DoRegister())`, nil)
	waitEvent(t, page, "register:alice", "terminated", 10*time.Second)
	assert.Equal(t, "websocket_connection_failed", status(t, page, "alice"))
	var logged bool
	page.Eval(t, `true`, &logged)
	found := false
	for _, line := range page.Console() {
		if strings.Contains(line, "could not connect to ws://127.0.0.1:9/ws") {
			found = true
		}
	}
	assert.True(t, found, "the reason is in the log")
	assert.Empty(t, page.Exceptions())
}
