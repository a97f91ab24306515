package tabs

import (
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func callIDs(calls []CallSnapshot) []string {
	var out []string
	for _, c := range calls {
		out = append(out, c.CallID)
	}
	return out
}

// With several calls in the leader, every follower sees each of them, a
// command names the call it is for, and a tab that joins later learns the
// whole list from the state sync.
func TestFollowersSeeAndActOnEveryCall(t *testing.T) {
	o := newOrigin(t)
	a, b, c := threeTabs(t, o)
	a.ring("call-a")
	a.ring("call-b")
	for _, f := range []*host{b, c} {
		waitFor(t, f.String()+" sees both calls", func() bool {
			return slices.Equal(callIDs(f.s.RemoteCalls()), []string{"call-a", "call-b"})
		})
	}
	_, err := b.forward(Command{Name: CmdHangup})
	assert.ErrorIs(t, err, ErrWhichCall, "with two calls a command must name one")

	out, err := b.forward(Command{Name: CmdHangup, CallID: "call-b"})
	require.NoError(t, err)
	select {
	case err := <-out:
		require.NoError(t, err)
	case <-time.After(2 * time.Second):
		t.Fatal("no result")
	}
	_, _, _, executed := a.snapshot()
	assert.Equal(t, []Command{{Name: CmdHangup, CallID: "call-b"}}, executed)
	for _, f := range []*host{b, c} {
		waitFor(t, f.String()+" sees call-b end", func() bool {
			return slices.Equal(callIDs(f.s.RemoteCalls()), []string{"call-a"})
		})
	}

	_, d := o.start("D", "alice", Config{})
	waitFor(t, "D learns the leader's calls", func() bool {
		return slices.Equal(callIDs(d.s.RemoteCalls()), []string{"call-a"})
	})
	call, ok := d.s.RemoteCall()
	require.True(t, ok)
	assert.Equal(t, "call-a", call.CallID, "with one call, RemoteCall is that call")

	out, err = d.forward(Command{Name: CmdMute}) // one call: no need to name it
	require.NoError(t, err)
	require.NoError(t, <-out)
	_, _, _, executed = a.snapshot()
	assert.Equal(t, Command{Name: CmdMute, CallID: "call-a"}, executed[len(executed)-1])
}

// A follower's getCall() follows the contract with several calls: the
// connected call not on hold, else the newest ringing incoming one, else
// the newest; getCallById finds any of them.
func TestFollowersCurrentCallWithSeveral(t *testing.T) {
	o := newOrigin(t)
	a, b, _ := threeTabs(t, o)
	a.setCall(&CallSnapshot{CallID: "held", State: "connected", Held: true}, "connected")
	a.setCall(&CallSnapshot{CallID: "talking", State: "connected"}, "connected")
	a.setCall(&CallSnapshot{CallID: "waiting", State: "incoming"}, "incoming")
	waitFor(t, "B sees three calls", func() bool { return len(b.s.RemoteCalls()) == 3 })
	cur, ok := b.s.RemoteCall()
	require.True(t, ok)
	assert.Equal(t, "talking", cur.CallID)

	a.setCall(&CallSnapshot{CallID: "talking", State: "connected", Held: true}, "hold")
	waitFor(t, "B sees the hold", func() bool { c, _ := b.s.RemoteCallByID("talking"); return c.Held })
	cur, _ = b.s.RemoteCall()
	assert.Equal(t, "waiting", cur.CallID, "no live call: the ringing one")

	a.setCall(&CallSnapshot{CallID: "waiting", State: "terminated"}, "terminated")
	waitFor(t, "B sees the end", func() bool { return len(b.s.RemoteCalls()) == 2 })
	cur, _ = b.s.RemoteCall()
	assert.Equal(t, "talking", cur.CallID, "else the newest")
	_, ok = b.s.RemoteCallByID("nope")
	assert.False(t, ok)
}

// A switch holds a call without an event of its own: the next event of
// another call carries it, so followers see it held.
func TestACallEventCarriesTheOtherCallsHold(t *testing.T) {
	o := newOrigin(t)
	a, b, _ := threeTabs(t, o)
	a.setCall(&CallSnapshot{CallID: "first", State: "connected"}, "connected")
	a.ring("second")
	waitFor(t, "B sees two calls", func() bool { return len(b.s.RemoteCalls()) == 2 })
	a.mu.Lock()
	a.putLocked(&CallSnapshot{CallID: "first", State: "connected", Held: true})
	a.mu.Unlock()
	a.setCall(&CallSnapshot{CallID: "second", State: "connected"}, "connected")
	waitFor(t, "B sees the first call held", func() bool { c, _ := b.s.RemoteCallByID("first"); return c.Held })
	cur, _ := b.s.RemoteCall()
	assert.Equal(t, "second", cur.CallID)
}
