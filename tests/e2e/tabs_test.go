package e2e

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/webphone/exotelsdk/tests/browser"
	"github.com/webphone/exotelsdk/tests/farend"
	"github.com/webphone/exotelsdk/tests/kamailio"
)

// tabsFixture is one browser with several pages of one origin, each running
// client "alice" with SessionListener, against a real Kamailio that drops a
// WebSocket's contacts when it closes (as a closed tab's are).
type tabsFixture struct {
	srv   *kamailio.Server
	pages []*browser.Page
	bob   *farend.Peer
	ctx   context.Context
}

func newTabsFixture(t *testing.T, n int) *tabsFixture { return newTabsFixtureWith(t, n, nil) }

// newTabsFixtureWith is newTabsFixture with more account fields (numbers stay numbers).
func newTabsFixtureWith(t *testing.T, n int, extra map[string]any) *tabsFixture {
	t.Helper()
	return newTabsFixtureOpening(t, n, extra, browser.OpenOptions{})
}

// newTabsFixtureOpening is newTabsFixtureWith with pages opened with open
// (an init script, say).
func newTabsFixtureOpening(t *testing.T, n int, extra map[string]any, open browser.OpenOptions) *tabsFixture {
	t.Helper()
	srv := kamailio.Start(t, kamailio.Options{DropContactsOnDisconnect: true})
	base := browser.Serve(t)
	b := browser.Launch(t, browser.Options{FakeAudioFile: browser.ToneWAV(t, 1000, 0.5, 10)})
	f := &tabsFixture{srv: srv}
	fields := map[string]any{}
	for k, v := range account(t, srv, "alice") {
		fields[k] = v
	}
	for k, v := range extra {
		fields[k] = v
	}
	acct := js(t, fields)
	for i := 0; i < n; i++ {
		page := b.OpenWith(t, base+"/tests/pages/phone.html?quiet", open)
		// Odd pages call SessionListener after initWebrtc: both orders work.
		page.Eval(t, fmt.Sprintf(`harness.joinTabs('alice', %s, %v)`, acct, i%2 == 1), nil)
		f.pages = append(f.pages, page)
	}
	for _, page := range f.pages {
		waitEvent(t, page, "register:alice", "registered", 15*time.Second)
	}
	f.bob = farend.New(t, farend.Config{User: "bob", Domain: srv.Domain, Server: srv.UDPAddr, DisplayName: "Bob"})
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	t.Cleanup(cancel)
	f.ctx = ctx
	return f
}

// split returns the page that registered itself (its phone sent a REGISTER)
// and the others, which only mirror its registration.
func (f *tabsFixture) split(t *testing.T) (leader *browser.Page, followers []*browser.Page) {
	t.Helper()
	for _, page := range f.pages {
		if slices.Contains(events(t, page, "register:alice"), "sent_request") {
			require.Nil(t, leader, "two pages sent a REGISTER")
			leader = page
		} else {
			followers = append(followers, page)
		}
	}
	require.NotNil(t, leader, "no page registered")
	return leader, followers
}

// contacts lists alice's contacts in Kamailio; an AOR whose last contact
// was just dropped answers "AOR has no contacts", which is none too.
func (f *tabsFixture) contacts(t *testing.T) []string {
	t.Helper()
	c, err := f.srv.Contacts("alice@" + f.srv.Domain)
	if err != nil && strings.Contains(err.Error(), "no contacts") {
		return nil
	}
	require.NoError(t, err)
	return c
}

// wsRegisters counts the REGISTER requests that reached Kamailio over
// WebSocket (from the pages, not the far end).
func (f *tabsFixture) wsRegisters() int {
	n := 0
	for _, line := range strings.Split(f.srv.LogTail(100000), "\n") {
		if strings.Contains(line, "REQ REGISTER") && strings.Contains(line, "proto=ws") {
			n++
		}
	}
	return n
}

func (f *tabsFixture) noExceptions(t *testing.T) {
	t.Helper()
	for i, page := range f.pages {
		assert.Empty(t, page.Exceptions(), "uncaught exceptions in page %d", i)
	}
}

// Three tabs with SessionListener: one REGISTER reaches Kamailio; a call
// rings as SessionCallback('incoming') in the two others; one of them
// answers through its getCall() proxy (the far end gets the 200 and the
// leader's microphone), mutes, holds and sends DTMF through it, and the
// other hangs up (the far end gets the BYE). Then the leader tab closes:
// another tab hears re-register and registers within seconds, and the third
// follows it.
func TestTabsOneRegistersFollowersAct(t *testing.T) {
	f := newTabsFixture(t, 3)
	leader, followers := f.split(t)
	time.Sleep(300 * time.Millisecond) // a late duplicate REGISTER would show by now
	oldContacts := f.contacts(t)
	require.Len(t, oldContacts, 1, "exactly one tab registered")
	assert.Equal(t, 2, f.wsRegisters(), "one challenged REGISTER and its authorized retry, from one tab")
	for _, page := range followers {
		assert.Equal(t, "registered", status(t, page, "alice"), "a follower shows the leader's registration")
		assert.Equal(t, []string{"registered"}, events(t, page, "register:alice"))
	}

	call, err := f.bob.Dial(f.ctx, "alice", farend.CallOptions{})
	require.NoError(t, err)
	waitEvent(t, leader, "call:alice", "incoming", 10*time.Second)
	for _, page := range followers {
		waitEvent(t, page, "session:alice", "incoming", 10*time.Second)
		assert.Empty(t, events(t, page, "call:alice"), "the call is not in this tab")
	}
	var props map[string]any
	followers[0].Eval(t, `harness.callProps('alice')`, &props)
	assert.Equal(t, call.CallID(), props["callId"])
	assert.Equal(t, "incoming", props["callState"])
	assert.Equal(t, "incoming", props["callDirection"])
	assert.Equal(t, "bob", props["remoteId"])
	assert.Equal(t, "Bob", props["remoteDisplayName"])
	assert.Equal(t, true, props["started"])

	var ok bool
	followers[0].Eval(t, `harness.clients.alice.getCall().Answer()`, &ok)
	require.True(t, ok, "Answer went to the leader")
	require.NoError(t, call.WaitStatus(f.ctx, 200))
	require.NoError(t, call.WaitMedia(f.ctx))
	waitEvent(t, leader, "call:alice", "connected", 10*time.Second)
	for _, page := range followers {
		waitEvent(t, page, "session:alice", "connected", 10*time.Second)
	}
	farLevelEventually(t, call, func(l float64) bool { return l > -45 }, "loud (the leader's microphone)")

	// Mute and unmute from the other follower; every tab sees isMuted.
	followers[1].Eval(t, `harness.clients.alice.getCall().Mute()`, nil)
	farLevelEventually(t, call, func(l float64) bool { return l < -70 }, "silent while muted")
	followers[0].WaitUntil(t, `harness.callProps('alice').isMuted === true`, 5*time.Second)
	leader.WaitUntil(t, `harness.callProps('alice').isMuted === true`, 5*time.Second)
	followers[1].Eval(t, `harness.clients.alice.getCall().UnMute()`, nil)
	farLevelEventually(t, call, func(l float64) bool { return l > -45 }, "loud after unmute")

	// Hold resolves with the leader's outcome after its re-INVITE.
	var held bool
	followers[1].Eval(t, `harness.clients.alice.getCall().Hold()`, &held)
	require.True(t, held)
	reinvite, err := call.WaitRequest(f.ctx, "INVITE")
	require.NoError(t, err)
	assert.Equal(t, "sendonly", direction(string(reinvite.Body())))
	followers[0].WaitUntil(t, `harness.callProps('alice').isOnHold === true`, 5*time.Second)
	followers[1].Eval(t, `harness.clients.alice.getCall().UnHold()`, &held)
	require.True(t, held)

	followers[0].Eval(t, `harness.clients.alice.getCall().sendDTMF('5')`, &ok)
	require.True(t, ok)
	require.Eventually(t, func() bool { return slices.Equal(infoSignals(call), []string{"5"}) }, 5*time.Second, 50*time.Millisecond)

	followers[1].Eval(t, `harness.clients.alice.getCall().Hangup()`, &ok)
	require.True(t, ok)
	reason, err := call.WaitEnded(f.ctx)
	require.NoError(t, err)
	assert.Equal(t, "remote BYE", reason)
	waitEvent(t, leader, "call:alice", "callEnded", 10*time.Second)
	for _, page := range followers {
		waitEvent(t, page, "session:alice", "callEnded", 10*time.Second)
		assert.Equal(t, []string{"incoming", "connected", "callEnded"}, events(t, page, "session:alice"))
		var none bool
		page.Eval(t, `harness.clients.alice.getCall() === null`, &none)
		assert.True(t, none, "getCall() is null after the call")
	}
	assert.Empty(t, events(t, leader, "session:alice"), "the leader's SessionCallback is not called for its own call")
	f.noExceptions(t)

	// The leader tab closes: another takes over by itself.
	closed := time.Now()
	leader.Close()
	var newContact time.Duration
	for deadline := closed.Add(15 * time.Second); newContact == 0; time.Sleep(10 * time.Millisecond) {
		if c := f.contacts(t); len(c) == 1 && c[0] != oldContacts[0] {
			newContact = time.Since(closed)
		} else if time.Now().After(deadline) {
			t.Fatalf("no new registration 15 s after the leader tab closed (contacts %v)", c)
		}
	}
	t.Logf("leader tab closed → new contact in Kamailio: %s", newContact.Round(time.Millisecond))

	newLeader, others := f.splitAfterTakeover(t, followers)
	assert.Equal(t, "registered", status(t, newLeader, "alice"))
	assert.Equal(t, "registered", status(t, others, "alice"))
	assert.NotContains(t, events(t, others, "session:alice"), "re-register")
	assert.Equal(t, []string{"registered"}, events(t, others, "register:alice"), "the third tab stayed registered")

	// The third tab follows the new leader: it rings there and can reject.
	call2, err := f.bob.Dial(f.ctx, "alice", farend.CallOptions{})
	require.NoError(t, err)
	waitEvent(t, newLeader, "call:alice", "incoming", 10*time.Second)
	others.WaitUntil(t, `harness.of('session:alice').filter(s => s === 'incoming').length === 2`, 10*time.Second)
	others.Eval(t, `harness.clients.alice.getCall().Hangup()`, &ok)
	require.True(t, ok)
	code, err := call2.WaitFinal(f.ctx)
	require.NoError(t, err)
	assert.Equal(t, 486, code, "rejected from the third tab")
	for _, page := range followers {
		assert.Empty(t, page.Exceptions())
	}
}

// splitAfterTakeover finds, among the former followers, the one that took
// over (re-register, then its own REGISTER) and the one still following.
func (f *tabsFixture) splitAfterTakeover(t *testing.T, pages []*browser.Page) (leader, follower *browser.Page) {
	t.Helper()
	for _, page := range pages {
		if slices.Contains(events(t, page, "session:alice"), "re-register") {
			require.Nil(t, leader, "two tabs took over")
			leader = page
		} else {
			follower = page
		}
	}
	require.NotNil(t, leader, "no tab heard re-register")
	waitEvent(t, leader, "register:alice", "sent_request", 5*time.Second)
	leader.WaitUntil(t, `harness.of('register:alice').filter(s => s === 'registered').length === 2`, 10*time.Second)
	var order []string
	leader.Eval(t, `harness.events.filter(e => e.kind === 'session:alice' || e.kind === 'register:alice').map(e => e.kind + ' ' + e.args[0])`, &order)
	i := slices.Index(order, "session:alice re-register")
	require.GreaterOrEqual(t, i, 0)
	assert.Equal(t, "register:alice sent_request", order[i+1], "re-register comes before the new tab's REGISTER")
	return leader, follower
}

// UnRegister in the leader tab logs the account out in every tab: all report
// unregistered, Kamailio has no contact, and no tab takes over. DoRegister
// in a follower logs in again; the other follower follows it, and the old
// leader, which left on its own, stays out.
func TestTabsLeaderLogout(t *testing.T) {
	f := newTabsFixture(t, 3)
	leader, followers := f.split(t)
	leader.Eval(t, `harness.clients.alice.UnRegister()`, nil)
	for _, page := range f.pages {
		waitEvent(t, page, "register:alice", "unregistered", 10*time.Second)
	}
	require.Eventually(t, func() bool { return len(f.contacts(t)) == 0 }, 5*time.Second, 20*time.Millisecond)
	registers := f.wsRegisters()
	time.Sleep(1500 * time.Millisecond) // well past the leader's hold on the lock
	assert.Empty(t, f.contacts(t), "no tab took over")
	assert.Equal(t, registers, f.wsRegisters(), "no REGISTER after the logout")
	for _, page := range f.pages {
		assert.Equal(t, "unregistered", status(t, page, "alice"))
		assert.NotContains(t, events(t, page, "session:alice"), "re-register")
	}

	var ok bool
	followers[0].Eval(t, `harness.clients.alice.DoRegister()`, &ok)
	require.True(t, ok)
	followers[0].WaitUntil(t, `harness.of('register:alice').filter(s => s === 'registered').length === 2`, 10*time.Second)
	assert.Contains(t, events(t, followers[0], "register:alice"), "sent_request", "it registered itself")
	followers[1].WaitUntil(t, `harness.of('register:alice').length >= 3`, 5*time.Second)
	assert.Equal(t, []string{"registered", "unregistered", "registered"}, events(t, followers[1], "register:alice"), "the other follower mirrors it")
	assert.Len(t, f.contacts(t), 1)
	assert.Equal(t, "registered", status(t, followers[1], "alice"))
	assert.Equal(t, "unregistered", status(t, leader, "alice"), "the tab that logged out stays out")
	f.noExceptions(t)
}

// Without SessionListener tabs stay independent (the guide's default): each
// registers its own contact.
func TestTabsIndependentWithoutSessionListener(t *testing.T) {
	srv := kamailio.Start(t, kamailio.Options{})
	base := browser.Serve(t)
	b := browser.Launch(t, browser.Options{})
	acct := js(t, account(t, srv, "alice"))
	var pages []*browser.Page
	for i := 0; i < 2; i++ {
		page := b.Open(t, base+"/tests/pages/phone.html?quiet")
		page.Eval(t, `harness.create('alice', `+acct+`).then(() => harness.clients.alice.DoRegister())`, nil)
		pages = append(pages, page)
	}
	for _, page := range pages {
		waitEvent(t, page, "register:alice", "registered", 10*time.Second)
		assert.Empty(t, page.Exceptions())
	}
	contacts, err := srv.Contacts("alice@" + srv.Domain)
	require.NoError(t, err)
	assert.Len(t, contacts, 2)
}

// The leader tab closes during a call: in the follower the call ends
// (callEnded, getCall() null), then it hears re-register, registers, and the
// next call rings in it as its own.
func TestTabsLeaderClosesDuringCall(t *testing.T) {
	f := newTabsFixture(t, 2)
	leader, followers := f.split(t)
	follower := followers[0]
	call, err := f.bob.Dial(f.ctx, "alice", farend.CallOptions{})
	require.NoError(t, err)
	waitEvent(t, follower, "session:alice", "incoming", 10*time.Second)
	var ok bool
	follower.Eval(t, `harness.clients.alice.getCall().Answer()`, &ok)
	require.True(t, ok)
	require.NoError(t, call.WaitStatus(f.ctx, 200))
	waitEvent(t, follower, "session:alice", "connected", 10*time.Second)

	leader.Close()
	waitEvent(t, follower, "session:alice", "re-register", 10*time.Second)
	assert.Equal(t, []string{"incoming", "connected", "callEnded", "re-register"}, events(t, follower, "session:alice"))
	var none bool
	follower.Eval(t, `harness.clients.alice.getCall() === null`, &none)
	assert.True(t, none, "the call died with the leader tab")
	follower.WaitUntil(t, `harness.of('register:alice').filter(s => s === 'registered').length === 2`, 10*time.Second)

	call2, err := f.bob.Dial(f.ctx, "alice", farend.CallOptions{})
	require.NoError(t, err)
	waitEvent(t, follower, "call:alice", "incoming", 10*time.Second)
	follower.Eval(t, `harness.clients.alice.getCall().Answer()`, &ok)
	require.True(t, ok)
	require.NoError(t, call2.WaitStatus(f.ctx, 200))
	require.NoError(t, call2.WaitMedia(f.ctx))
	farLevelEventually(t, call2, func(l float64) bool { return l > -45 }, "loud from the new leader")
	follower.Eval(t, `harness.clients.alice.getCall().Hangup()`, nil)
	_, err = call2.WaitEnded(f.ctx)
	require.NoError(t, err)
	assert.Empty(t, follower.Exceptions())
}
