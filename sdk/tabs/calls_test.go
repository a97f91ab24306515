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
