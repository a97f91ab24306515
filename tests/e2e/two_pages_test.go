package e2e

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/webphone/exotelsdk/tests/browser"
	"github.com/webphone/exotelsdk/tests/kamailio"
)

// Two SDK pages call each other through Kamailio; each measures the other's
// tone with a Web Audio analyser on the received stream.
func TestTwoPagesCallEachOther(t *testing.T) {
	srv := kamailio.Start(t, kamailio.Options{})
	base := browser.Serve(t)
	b := browser.Launch(t, browser.Options{FakeAudioFile: browser.ToneWAV(t, 800, 0.5, 10)})
	alice := b.Open(t, base+"/tests/pages/phone.html")
	bob := b.Open(t, base+"/tests/pages/phone.html")
	for name, page := range map[string]*browser.Page{"alice": alice, "bob": bob} {
		page.Eval(t, `harness.create('`+name+`', `+js(t, account(t, srv, name))+`).then(() => harness.clients.`+name+`.DoRegister())`, nil)
		waitEvent(t, page, "register:"+name, "registered", 10*time.Second)
	}
	var ok bool
	alice.Eval(t, `harness.clients.alice.MakeCall('bob')`, &ok)
	require.True(t, ok)
	waitEvent(t, bob, "call:bob", "incoming", 10*time.Second)
	waitEvent(t, alice, "call:alice", "ringing", 10*time.Second)
	var remote string
	bob.Eval(t, `harness.clients.bob.getCall().remoteId`, &remote)
	assert.Equal(t, "alice", remote)
	bob.Eval(t, `harness.clients.bob.getCall().Answer()`, &ok)
	waitEvent(t, bob, "call:bob", "connected", 10*time.Second)
	waitEvent(t, alice, "call:alice", "connected", 10*time.Second)

	for name, page := range map[string]*browser.Page{"alice": alice, "bob": bob} {
		require.Eventually(t, func() bool {
			var lvl float64
			page.Eval(t, `harness.level('`+name+`', 400)`, &lvl)
			return lvl > 0.01
		}, 10*time.Second, 100*time.Millisecond, "%s hears the other page", name)
	}
	// Muting alice silences what bob hears.
	alice.Eval(t, `harness.clients.alice.getCall().Mute()`, nil)
	require.Eventually(t, func() bool {
		var lvl float64
		bob.Eval(t, `harness.level('bob', 400)`, &lvl)
		return lvl < 0.001
	}, 10*time.Second, 100*time.Millisecond, "bob hears silence while alice is muted")

	alice.Eval(t, `harness.clients.alice.getCall().Hangup()`, nil)
	waitEvent(t, alice, "call:alice", "callEnded", 10*time.Second)
	waitEvent(t, bob, "call:bob", "terminated", 10*time.Second)
	assert.Empty(t, alice.Exceptions())
	assert.Empty(t, bob.Exceptions())
}
