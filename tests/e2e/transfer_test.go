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

// jssipParty is a JsSIP page (tests/pages/jssip_party.html): a real UA that
// acts on REFER and Replaces, as the other parties of a transfer.
type jssipParty struct {
	name string
	page *browser.Page
}

func openParty(t *testing.T, b *browser.Browser, base string, srv *kamailio.Server, name string) *jssipParty {
	t.Helper()
	a := account(t, srv, name)
	a["wsUrl"] = srv.WSURL + "ws"
	p := &jssipParty{name: name, page: b.Open(t, base+"/tests/pages/jssip_party.html?"+url.Values{"account": {js(t, a)}}.Encode())}
	p.wait(t, "registered")
	return p
}

// wait waits for an entry of party.events.
func (p *jssipParty) wait(t *testing.T, event string) {
	t.Helper()
	p.page.WaitUntil(t, fmt.Sprintf(`party.has(%q)`, event), 20*time.Second)
}

// sessions is how many sessions the party has had: the index of its next one.
func (p *jssipParty) sessions(t *testing.T) int {
	var n int
	p.page.Eval(t, `party.sessions.length`, &n)
	return n
}

func (p *jssipParty) eval(t *testing.T, expr string, out any) { t.Helper(); p.page.Eval(t, expr, out) }

// hangupAll ends every session of the party still up.
func (p *jssipParty) hangupAll(t *testing.T) {
	p.eval(t, `party.sessions.forEach(function (s) { if (!s.isEnded()) { s.terminate(); } })`, nil)
}

// sdkCalls drives client "alice" of an SDK page: calls are kept by name in
// window.calls so that their objects outlive them.
type sdkCalls struct{ page *browser.Page }

// dial calls target and waits until the call is connected; it is then window.calls[name].
func (s sdkCalls) dial(t *testing.T, name, target string) {
	t.Helper()
	var ok bool
	s.page.Eval(t, fmt.Sprintf(`harness.clients.alice.MakeCall(%q)`, target), &ok)
	require.True(t, ok)
	s.page.WaitUntil(t, `(function () { var c = harness.lastCall('alice'); return c && c.remoteId === `+
		fmt.Sprintf("%q", target)+` && c.callState === 'connected'; })()`, 20*time.Second)
	s.page.Eval(t, fmt.Sprintf(`(window.calls = window.calls || {})[%q] = harness.lastCall('alice'), true`, name), nil)
}

// events lists the events of call name, in order.
func (s sdkCalls) events(t *testing.T, name string) []string {
	var out []string
	s.page.Eval(t, fmt.Sprintf(`harness.events.filter(function (e) { return e.kind === 'call:alice' && e.args[0].callId === calls[%q].callId; }).map(function (e) { return e.args[1]; })`, name), &out)
	return out
}

func (s sdkCalls) waitEvent(t *testing.T, name, event string) {
	t.Helper()
	s.page.WaitUntil(t, fmt.Sprintf(`harness.events.some(function (e) { return e.kind === 'call:alice' && e.args[0].callId === calls[%q].callId && e.args[1] === %q; })`, name, event), 20*time.Second)
}

func (s sdkCalls) detail(t *testing.T, name, field string) string {
	var v string
	s.page.Eval(t, fmt.Sprintf(`String(calls[%q].callDetails()[%q])`, name, field), &v)
	return v
}

// TestTransfer runs every transfer against one Kamailio: the SDK page
// (alice) with two JsSIP parties (carol, dave) in one browser.
func TestTransfer(t *testing.T) {
	bundleJsSIP(t)
	srv := kamailio.Start(t, kamailio.Options{})
	base := browser.Serve(t)
	b := browser.Launch(t, browser.Options{FakeAudioFile: browser.ToneWAV(t, 800, 0.5, 10)})
	page := b.Open(t, base+"/tests/pages/phone.html")
	page.Eval(t, `harness.create('alice', Object.assign(`+js(t, account(t, srv, "alice"))+`, {maxCalls: 2})).then(() => harness.clients.alice.DoRegister())`, nil)
	waitEvent(t, page, "register:alice", "registered", 10*time.Second)
	alice := sdkCalls{page}
	carol := openParty(t, b, base, srv, "carol")
	dave := openParty(t, b, base, srv, "dave")
	daveURI := "sip:dave@" + srv.Domain
	reset := func(t *testing.T) {
		page.Eval(t, `harness.clients.alice.getCalls().forEach(function (c) { c.Hangup(); })`, nil)
		page.WaitUntil(t, `harness.clients.alice.getCalls().length === 0`, 10*time.Second)
		carol.hangupAll(t)
		dave.hangupAll(t)
		dave.eval(t, `party.mode = 'answer'`, nil)
	}

	t.Run("blind: the transferee reaches the target, our call ends transferred", func(t *testing.T) {
		defer reset(t)
		alice.dial(t, "blind", "carol")
		ci, di := carol.sessions(t), dave.sessions(t)
		var ok bool
		page.Eval(t, `calls.blind.Transfer('dave')`, &ok)
		require.True(t, ok, "Transfer resolves true")
		carol.wait(t, fmt.Sprintf("confirmed:%d", ci)) // carol's call to dave
		dave.wait(t, fmt.Sprintf("confirmed:%d", di))
		alice.waitEvent(t, "blind", "callEnded")
		assert.Equal(t, []string{"ringing", "connected", "transferring", "transferred", "callEnded"}, alice.events(t, "blind"))
		assert.Equal(t, "transferred", alice.detail(t, "blind", "callEndCause"))
		var referredBy string
		carol.eval(t, fmt.Sprintf(`party.events.filter(function (e) { return e.indexOf('refer:%d:') === 0; })[0] || ''`, ci-1), &referredBy)
		assert.Contains(t, referredBy, "alice@", "Referred-By is our AOR")
	})

	t.Run("refused: target busy, transferFailed, the held call resumes with audio", func(t *testing.T) {
		defer reset(t)
		dave.eval(t, `party.mode = 'busy'`, nil)
		alice.dial(t, "busy", "carol")
		var ok bool
		page.Eval(t, `calls.busy.Hold()`, &ok)
		require.True(t, ok)
		page.Eval(t, `calls.busy.Transfer('dave')`, &ok)
		assert.False(t, ok, "Transfer resolves false")
		alice.waitEvent(t, "busy", "transferFailed")
		assert.Equal(t, []string{"ringing", "connected", "transferring", "transferFailed"}, alice.events(t, "busy"))
		assert.Equal(t, "connected", alice.detail(t, "busy", "callState"))
		assert.Equal(t, "true", alice.detail(t, "busy", "isOnHold"), "held as it was")
		page.Eval(t, `calls.busy.UnHold()`, &ok)
		require.True(t, ok, "UnHold works after a failed transfer")
		require.Eventually(t, func() bool {
			var lvl float64
			page.Eval(t, `harness.level('alice', 400)`, &lvl)
			return lvl > 0.01
		}, 10*time.Second, 100*time.Millisecond, "alice hears carol again")
	})

	t.Run("being transferred: a new call to the Refer-To target, the old one ends transferred", func(t *testing.T) {
		defer reset(t)
		ci := carol.sessions(t)
		alice.dial(t, "old", "carol")
		carol.eval(t, fmt.Sprintf(`party.refer(%d, %q)`, ci, daveURI), nil)
		page.WaitUntil(t, `harness.clients.alice.getCalls().some(function (c) { return c.remoteId === 'dave' && c.callState === 'connected'; })`, 20*time.Second)
		page.Eval(t, `calls.next = harness.clients.alice.getCalls().filter(function (c) { return c.remoteId === 'dave'; })[0], true`, nil)
		assert.Contains(t, alice.detail(t, "next", "referredBy"), "carol@")
		carol.eval(t, fmt.Sprintf(`party.hangup(%d)`, ci), nil) // the transferor hangs up
		alice.waitEvent(t, "old", "terminated")
		assert.Equal(t, "transferred", alice.detail(t, "old", "callEndCause"))
		assert.Equal(t, "connected", alice.detail(t, "next", "callState"))
	})

	t.Run("attended: both our calls end, carol and dave talk to each other", func(t *testing.T) {
		defer reset(t)
		alice.dial(t, "first", "carol")
		ci, di := carol.sessions(t), dave.sessions(t)
		alice.dial(t, "second", "dave") // holds the first
		var ok bool
		page.Eval(t, `calls.first.AttendedTransfer(calls.second)`, &ok)
		require.True(t, ok)
		dave.wait(t, fmt.Sprintf("replaces:%d", di)) // carol's INVITE with Replaces met dave's call with us
		carol.wait(t, fmt.Sprintf("confirmed:%d", ci))
		dave.wait(t, fmt.Sprintf("confirmed:%d", di+1))
		alice.waitEvent(t, "first", "callEnded")
		page.WaitUntil(t, `calls.second.callDetails().callEndCause !== ''`, 10*time.Second)
		assert.Equal(t, "transferred", alice.detail(t, "first", "callEndCause"))
		assert.Contains(t, []string{"transferred", "remote-hangup"}, alice.detail(t, "second", "callEndCause"))
		var level float64
		require.Eventually(t, func() bool {
			dave.eval(t, fmt.Sprintf(`party.level(%d, 400)`, di+1), &level)
			return level > 0.01
		}, 10*time.Second, 100*time.Millisecond, "dave hears carol")
	})

	t.Run("INVITE with Replaces: answered at once, the old call ends replaced; unknown gets 481", func(t *testing.T) {
		defer reset(t)
		ci := carol.sessions(t)
		alice.dial(t, "replaced", "carol")
		var d struct{ CallID, LocalTag, RemoteTag string }
		carol.eval(t, fmt.Sprintf(`party.dialog(%d)`, ci), &d)
		di := dave.sessions(t)
		replaces := fmt.Sprintf("Replaces: %s;to-tag=%s;from-tag=%s", d.CallID, d.RemoteTag, d.LocalTag)
		dave.eval(t, fmt.Sprintf(`party.call('sip:alice@%s', [%q])`, srv.Domain, replaces), nil)
		dave.wait(t, fmt.Sprintf("confirmed:%d", di))
		alice.waitEvent(t, "replaced", "terminated")
		assert.Equal(t, "replaced", alice.detail(t, "replaced", "callEndCause"))
		carol.wait(t, fmt.Sprintf("ended:%d:Terminated", ci))
		page.Eval(t, `calls.replacing = harness.clients.alice.getCalls()[0], true`, nil)
		assert.Equal(t, "dave", alice.detail(t, "replacing", "remoteId"))
		assert.Equal(t, []string{"connected"}, alice.events(t, "replacing"), "no incoming, no ringing")

		dave.eval(t, fmt.Sprintf(`party.call('sip:alice@%s', ['Replaces: nobody@nowhere;to-tag=a;from-tag=b'])`, srv.Domain), nil)
		dave.wait(t, fmt.Sprintf("ended:%d:481", di+1))
	})

	t.Run("bad input: false at once, nothing sent", func(t *testing.T) {
		defer reset(t)
		alice.dial(t, "bad", "carol")
		countRefers := func() (n int) {
			carol.eval(t, `party.events.filter(function (e) { return e.indexOf('refer:') === 0; }).length`, &n)
			return n
		}
		before := countRefers()
		var out []bool
		page.Eval(t, `Promise.all([calls.bad.Transfer(''), calls.bad.Transfer(null), calls.bad.Transfer(),
			calls.bad.AttendedTransfer(calls.bad), calls.bad.AttendedTransfer(calls.blind),
			calls.bad.AttendedTransfer({callId: calls.bad.callId}), calls.bad.AttendedTransfer(null)])`, &out)
		assert.Equal(t, []bool{false, false, false, false, false, false, false}, out)
		assert.Equal(t, before, countRefers(), "no REFER was sent")
		assert.Equal(t, []string{"ringing", "connected"}, alice.events(t, "bad"))
		assert.Contains(t, strings.Join(page.Console(), "\n"), "AttendedTransfer ignored", "the reason is logged")
	})
	requireNoExceptions(t, page)
}
