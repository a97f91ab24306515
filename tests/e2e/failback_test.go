package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/webphone/exotelsdk/tests/browser"
	"github.com/webphone/exotelsdk/tests/kamailio"
)

// Two Kamailio edges that share nothing. The first is down when alice
// registers, so she fails over to the second. It comes back while she is in
// a call there (with bob, registered on the second only): she stays until
// the call ends, then moves back; the app hears of both connections, the
// first edge holds her binding and the second has forgotten it.
func TestFailbackToTheFirstEdgeBetweenCalls(t *testing.T) {
	primary := kamailio.Start(t, kamailio.Options{})
	backup := kamailio.Start(t, kamailio.Options{})
	primary.Stop()
	base := browser.Serve(t)
	page := browser.Launch(t, browser.Options{}).Open(t, base+"/tests/pages/phone.html")

	acct := map[string]any{"wsUrls": []string{primary.WSURL, backup.WSURL}, "failbackInterval": 1}
	for k, v := range account(t, backup, "alice") {
		acct[k] = v
	}
	page.Eval(t, `harness.create('alice', `+js(t, acct)+`).then(() => `+watchEvents+`('alice'))`, nil)
	page.Eval(t, `harness.create('bob', `+js(t, account(t, backup, "bob"))+`)`, nil)
	page.Eval(t, `harness.clients.alice.DoRegister(); harness.clients.bob.DoRegister()`, nil)
	waitEvent(t, page, "register:alice", "registered", 15*time.Second)
	waitEvent(t, page, "register:bob", "registered", 15*time.Second)
	aor := "alice@" + backup.Domain
	contacts, err := backup.Contacts(aor)
	require.NoError(t, err)
	require.Len(t, contacts, 1, "alice is on the backup edge")

	var ok bool
	page.Eval(t, `harness.clients.alice.MakeCall('bob')`, &ok)
	require.True(t, ok)
	waitEvent(t, page, "call:bob", "incoming", 10*time.Second)
	page.Eval(t, `harness.clients.bob.getCall().Answer()`, &ok)
	waitEvent(t, page, "call:alice", "connected", 10*time.Second)

	primary.Restart(t)
	require.Eventually(t, func() bool {
		return strings.Contains(strings.Join(page.Console(), "\n"), "waits: a call is in progress")
	}, 20*time.Second, 50*time.Millisecond, "a probe comes and is put off by the call")
	contacts, err = primary.Contacts(aor)
	require.NoError(t, err)
	assert.Empty(t, contacts, "no move during the call")
	var state string
	page.Eval(t, `harness.clients.alice.getCall().callState`, &state)
	assert.Equal(t, "connected", state)

	page.Eval(t, `harness.clients.alice.getCall().Hangup()`, nil)
	waitEvent(t, page, "call:bob", "terminated", 10*time.Second)
	page.WaitUntil(t, `window.seen.alice.connection.some(e => e.state === 'connected' && e.url === `+js(t, primary.WSURL)+`)`, 15*time.Second)
	var conn []connectionEvent
	page.Eval(t, `window.seen.alice.connection.slice(-2)`, &conn)
	assert.Equal(t, []connectionEvent{{"disconnected", backup.WSURL, 0}, {"connected", primary.WSURL, 0}}, conn)
	require.Eventually(t, func() bool {
		on, err1 := primary.Contacts(aor)
		left, err2 := backup.Contacts(aor)
		return err1 == nil && err2 == nil && len(on) == 1 && len(left) == 0
	}, 10*time.Second, 50*time.Millisecond, "the first edge holds the binding, the backup has forgotten it")
	page.WaitUntil(t, `harness.of('register:alice').filter(s => s === 'registered').length === 2`, 10*time.Second)
	assert.NotContains(t, events(t, page, "register:alice"), "unregistered", "alice stays reachable across the move")
	assert.Equal(t, "registered", status(t, page, "alice"))
	assert.Empty(t, page.Exceptions())
}
