package e2e

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/webphone/exotelsdk/tests/farend"
)

// Many calls from a follower tab: with maxCalls 2 the leader rings for bob
// and then carol; the follower's getCalls() lists both proxies, getCall() is
// the newest ringing one while none is connected, and getCallById finds
// each. The follower answers bob, then answers carol by id (the leader holds
// bob first: he gets sendonly), hangs carol up (carol gets the BYE) and
// resumes bob; it joins both in a Conference and ends it, and transfers
// bob (his REFER arrives) — all through the leader.
func TestTabsFollowerActsOnEachOfTheLeadersCalls(t *testing.T) {
	f := newTabsFixtureWith(t, 2, map[string]any{"maxCalls": 2})
	leader, followers := f.split(t)
	follower := followers[0]
	carol := farend.New(t, farend.Config{User: "carol", Domain: f.srv.Domain, Server: f.srv.UDPAddr, DisplayName: "Carol"})

	bobCall, err := f.bob.Dial(f.ctx, "alice", farend.CallOptions{})
	require.NoError(t, err)
	require.NoError(t, bobCall.WaitStatus(f.ctx, 180))
	follower.WaitUntil(t, `harness.clients.alice.getCalls().length === 1`, 10*time.Second)
	var ok bool
	follower.Eval(t, `harness.clients.alice.getCallById(`+js(t, bobCall.CallID())+`).Answer()`, &ok)
	require.True(t, ok)
	require.NoError(t, bobCall.WaitStatus(f.ctx, 200))
	follower.WaitUntil(t, `harness.clients.alice.getCall().callState === 'connected'`, 10*time.Second)

	carolCall, err := carol.Dial(f.ctx, "alice", farend.CallOptions{})
	require.NoError(t, err)
	require.NoError(t, carolCall.WaitStatus(f.ctx, 180), "call waiting: carol hears ringing")
	follower.WaitUntil(t, `harness.clients.alice.getCalls().length === 2`, 10*time.Second)
	var ids []string
	follower.Eval(t, `harness.clients.alice.getCalls().map(c => c.callId)`, &ids)
	assert.Equal(t, []string{bobCall.CallID(), carolCall.CallID()}, ids, "oldest first")
	var current string
	follower.Eval(t, `harness.clients.alice.getCall().callId`, &current)
	assert.Equal(t, bobCall.CallID(), current, "the connected call not on hold")

	byID := func(id, expr string, out any) {
		follower.Eval(t, fmt.Sprintf(`(() => { const c = harness.clients.alice.getCallById(%q); return %s; })()`, id, expr), out)
	}
	byID(carolCall.CallID(), `c.Answer()`, &ok)
	require.True(t, ok)
	require.NoError(t, carolCall.WaitStatus(f.ctx, 200))
	require.Eventually(t, func() bool {
		d := reinviteDirections(bobCall)
		return len(d) > 0 && d[0] == "sendonly"
	}, 10*time.Second, 50*time.Millisecond, "the leader holds bob before answering carol")
	follower.WaitUntil(t, fmt.Sprintf(`harness.clients.alice.getCallById(%q).callDetails().isOnHold === true`, bobCall.CallID()), 10*time.Second)
	follower.Eval(t, `harness.clients.alice.getCall().callId`, &current)
	assert.Equal(t, carolCall.CallID(), current)

	// Conference from the follower: the leader resumes bob and mixes both.
	var conf bool
	follower.Eval(t, `harness.clients.alice.Conference()`, &conf)
	require.True(t, conf, "Conference() through the leader")
	require.Eventually(t, func() bool {
		d := reinviteDirections(bobCall)
		return len(d) > 1 && d[len(d)-1] == "sendrecv"
	}, 10*time.Second, 50*time.Millisecond, "bob resumed into the conference")
	follower.WaitUntil(t, `harness.clients.alice.getCalls().every(c => c.inConference)`, 10*time.Second)
	follower.Eval(t, `harness.clients.alice.EndConference()`, &conf)
	require.True(t, conf, "EndConference() through the leader")
	require.Eventually(t, func() bool {
		d := reinviteDirections(bobCall)
		return len(d) > 2 && d[len(d)-1] == "sendonly"
	}, 10*time.Second, 50*time.Millisecond, "the older call, bob, is held again")

	byID(carolCall.CallID(), `c.Hangup()`, &ok)
	require.True(t, ok)
	_, err = carolCall.WaitEnded(f.ctx)
	require.NoError(t, err)
	follower.WaitUntil(t, `harness.clients.alice.getCalls().length === 1`, 10*time.Second)
	byID(bobCall.CallID(), `c.UnHold()`, &ok)
	require.True(t, ok)
	require.Eventually(t, func() bool {
		d := reinviteDirections(bobCall)
		return len(d) > 1 && d[len(d)-1] == "sendrecv"
	}, 10*time.Second, 50*time.Millisecond, "bob resumed through the leader")
	// Transfer from the follower: the leader REFERs bob (who refuses: 501).
	var transferred bool
	byID(bobCall.CallID(), `c.Transfer('dave')`, &transferred)
	assert.False(t, transferred, "bob's far end does not take REFER")
	refer, err := bobCall.WaitRequest(f.ctx, "REFER")
	require.NoError(t, err, "the follower's Transfer reached bob as a REFER from the leader")
	assert.Contains(t, header(refer, "Refer-To"), "sip:dave@")

	var none any
	follower.Eval(t, `harness.clients.alice.getCallById('no-such-call')`, &none)
	assert.Nil(t, none)
	assert.Empty(t, leader.Exceptions())
	f.noExceptions(t)
}
