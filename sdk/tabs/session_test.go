package tabs

import (
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// threeTabs opens three tabs of alice, in order, and waits until the first
// leads and the two others follow it with its registration mirrored.
func threeTabs(t *testing.T, o *origin) (a, b, c *host) {
	t.Helper()
	_, a = o.start("A", "alice", Config{})
	waitFor(t, "A leads", a.s.Leader)
	a.registered()
	_, b = o.start("B", "alice", Config{})
	_, c = o.start("C", "alice", Config{})
	for _, f := range []*host{b, c} {
		waitFor(t, f.String()+" mirrors registered", func() bool { return slices.Equal(f.registerEvents(), []string{"registered"}) })
	}
	return a, b, c
}

// Exactly one tab registers; the others follow it and show its registration
// (RegisterEventCallBack and checkClientStatus) without registering.
func TestOneTabRegisters(t *testing.T) {
	o := newOrigin(t)
	a, b, c := threeTabs(t, o)
	assert.Equal(t, []*host{a}, leaderOf(a, b, c))
	assert.Equal(t, 1, a.registerCount())
	assert.Zero(t, b.registerCount()+c.registerCount(), "followers send no REGISTER")
	for _, f := range []*host{b, c} {
		assert.Equal(t, "follower", f.s.Role())
		st, ok := f.s.MirroredStatus()
		assert.True(t, ok)
		assert.Equal(t, "registered", st)
		assert.Empty(t, f.sessionEvents(), "no re-register for a tab that never led")
	}
	_, ok := a.s.MirroredStatus()
	assert.False(t, ok, "the leader reports its own phone's status")
	assert.Empty(t, a.registerEvents(), "the leader's own events come from its phone, not the session")

	// DoRegister again: the leader registers again (a retry), followers do nothing.
	a.tb.do(a.s.Start)
	b.tb.do(b.s.Start)
	waitFor(t, "a second Register in the leader", func() bool { return a.registerCount() == 2 })
	time.Sleep(20 * time.Millisecond)
	assert.Zero(t, b.registerCount())
}

// The leader's call events reach the followers' SessionCallback (incoming,
// connected, callEnded) and their view of the call; not the leader's own.
func TestCallEventsReachFollowers(t *testing.T) {
	o := newOrigin(t)
	a, b, c := threeTabs(t, o)
	a.ring("call-1")
	for _, f := range []*host{b, c} {
		waitFor(t, "incoming in "+f.String(), func() bool { return slices.Equal(f.sessionEvents(), []string{"incoming"}) })
		call, ok := f.s.RemoteCall()
		require.True(t, ok)
		assert.Equal(t, "call-1", call.CallID)
		assert.Equal(t, "bob", call.RemoteID)
		assert.Equal(t, "incoming", call.Direction)
	}
	a.setCall(&CallSnapshot{CallID: "call-1", Direction: "incoming", State: "connected"}, "connected")
	a.setCall(&CallSnapshot{CallID: "call-1", Direction: "incoming", State: "terminated"}, "terminated")
	for _, f := range []*host{b, c} {
		waitFor(t, "callEnded in "+f.String(), func() bool {
			return slices.Equal(f.sessionEvents(), []string{"incoming", "connected", "callEnded"})
		})
		_, ok := f.s.RemoteCall()
		assert.False(t, ok, "no call once it ended")
	}
	assert.Empty(t, a.sessionEvents(), "the leader's SessionCallback is not called for its own calls")

	// A late relay of the ended call does not bring it back.
	a.s.CallEvent("connected", CallSnapshot{CallID: "call-1", State: "connected"})
	time.Sleep(20 * time.Millisecond)
	_, ok := b.s.RemoteCall()
	assert.False(t, ok)
}

// A tab that joins during a call learns of it from the leader's state:
// SessionCallback once for the state it finds.
func TestLateFollowerSyncsCall(t *testing.T) {
	o := newOrigin(t)
	_, a := o.start("A", "alice", Config{})
	waitFor(t, "A leads", a.s.Leader)
	a.registered()
	a.ring("call-7")
	_, b := o.start("B", "alice", Config{})
	waitFor(t, "B syncs", func() bool { _, ok := b.s.RemoteCall(); return ok })
	assert.Equal(t, []string{"incoming"}, b.sessionEvents())
	assert.Equal(t, []string{"registered"}, b.registerEvents())
	// The relayed connected comes once even if a state sync also shows it.
	a.setCall(&CallSnapshot{CallID: "call-7", State: "connected"}, "connected")
	a.s.postState("")
	waitFor(t, "connected", func() bool { return slices.Contains(b.sessionEvents(), "connected") })
	time.Sleep(20 * time.Millisecond)
	assert.Equal(t, []string{"incoming", "connected"}, b.sessionEvents())
}

// A follower's Answer, Mute, Hold, DTMF and Hangup run on the leader's call;
// the result comes back to the tab that asked and every follower sees the
// call's new state.
func TestFollowerCommandsRunInLeader(t *testing.T) {
	o := newOrigin(t)
	a, b, c := threeTabs(t, o)

	_, err := b.forward(Command{Name: CmdAnswer})
	assert.ErrorIs(t, err, ErrNoCall, "nothing to answer yet")

	a.ring("call-2")
	waitFor(t, "B sees the call", func() bool { _, ok := b.s.RemoteCall(); return ok })
	waitFor(t, "C sees the call", func() bool { _, ok := c.s.RemoteCall(); return ok })
	for _, cmd := range []Command{{Name: CmdAnswer}, {Name: CmdMute}, {Name: CmdHold}, {Name: CmdDTMF, Digit: "5"}} {
		out, err := b.forward(cmd)
		require.NoError(t, err)
		select {
		case err := <-out:
			require.NoError(t, err, cmd.Name)
		case <-time.After(2 * time.Second):
			t.Fatalf("%s: no result", cmd.Name)
		}
	}
	_, _, _, executed := a.snapshot()
	require.Len(t, executed, 4)
	assert.Equal(t, Command{Name: CmdDTMF, Digit: "5", CallID: "call-2"}, executed[3], "the call id and digit travel")
	for _, f := range []*host{b, c} {
		waitFor(t, "connected, muted and held in "+f.String(), func() bool {
			call, _ := f.s.RemoteCall()
			return call.State == "connected" && call.Muted && call.Held
		})
	}

	// A command for a call the leader does not have is refused at once.
	_, err = c.forward(Command{Name: CmdUnmute, CallID: "old-call"})
	assert.ErrorIs(t, err, ErrNoCall)

	out, err := c.forward(Command{Name: CmdHangup})
	require.NoError(t, err)
	require.NoError(t, <-out)
	for _, f := range []*host{b, c} {
		waitFor(t, "callEnded in "+f.String(), func() bool { return slices.Contains(f.sessionEvents(), "callEnded") })
	}
	assert.Equal(t, []string{"incoming", "connected", "callEnded"}, b.sessionEvents())

	_, err = a.forward(Command{Name: CmdHangup})
	assert.ErrorIs(t, err, ErrNotFollower, "the leader acts on its call itself")
	_, err = b.forward(Command{Name: "reboot"})
	assert.Error(t, err)
}

// The leader tab crashes: the next tab in the lock's queue takes over, hears
// re-register and registers; the third follows the new leader; the call that
// died with the leader ends in the followers; a command waiting for the old
// leader fails.
func TestTakeoverWhenLeaderDies(t *testing.T) {
	o := newOrigin(t)
	a, b, c := threeTabs(t, o)
	a.ring("call-3")
	waitFor(t, "C sees the call", func() bool { _, ok := c.s.RemoteCall(); return ok })
	a.mu.Lock()
	a.block = make(chan struct{}) // A hangs on the command, then dies
	a.mu.Unlock()
	out, err := c.forward(Command{Name: CmdAnswer})
	require.NoError(t, err)
	waitFor(t, "A got the command", func() bool { _, _, _, ex := a.snapshot(); return len(ex) == 1 })

	a.tb.kill()
	waitFor(t, "B leads", b.s.Leader)
	waitFor(t, "B registers", func() bool { return b.registerCount() == 1 })
	assert.Equal(t, []string{"incoming", "callEnded", "re-register"}, b.sessionEvents())
	assert.Zero(t, c.registerCount())
	select {
	case err := <-out:
		assert.ErrorIs(t, err, ErrLeaderGone)
	case <-time.After(2 * time.Second):
		t.Fatal("the command waiting for the dead leader never failed")
	}
	waitFor(t, "C ends the call", func() bool { return slices.Equal(c.sessionEvents(), []string{"incoming", "callEnded"}) })
	assert.Equal(t, "follower", c.s.Role())

	// C follows B now: B's calls reach it, and C's commands go to B.
	b.registered()
	b.ring("call-4")
	waitFor(t, "C sees B's call", func() bool { call, ok := c.s.RemoteCall(); return ok && call.CallID == "call-4" })
	out, err = c.forward(Command{Name: CmdAnswer})
	require.NoError(t, err)
	require.NoError(t, <-out)
	assert.Equal(t, []string{"registered"}, c.registerEvents(), "C stayed registered throughout")

	// And when B goes too, C takes over.
	b.tb.kill()
	waitFor(t, "C leads", c.s.Leader)
	waitFor(t, "C registers", func() bool { return c.registerCount() == 1 })
	assert.Equal(t, "re-register", c.sessionEvents()[len(c.sessionEvents())-1])
}

// UnRegister in the leader logs out every tab: followers report
// unregistered and do not take over; a later DoRegister in any tab logs in
// again and the others follow it.
func TestLeaderLogoutStopsEveryTab(t *testing.T) {
	o := newOrigin(t)
	a, b, c := threeTabs(t, o)
	a.tb.do(a.s.Stop)
	for _, f := range []*host{b, c} {
		waitFor(t, f.String()+" unregistered", func() bool {
			return slices.Equal(f.registerEvents(), []string{"registered", "unregistered"})
		})
		st, ok := f.s.MirroredStatus()
		assert.True(t, ok)
		assert.Equal(t, "unregistered", st)
	}
	waitFor(t, "the logout grace runs", func() bool { return len(o.clock.Pending()) == 1 })
	o.clock.Advance(time.Second) // past the logout grace: the lock is free
	assert.Empty(t, leaderOf(a, b, c), "nobody took over")
	assert.Zero(t, b.registerCount()+c.registerCount())

	// C logs in again: it leads (no re-register: it did not take over) and
	// B, logged out by the leader, follows it; A left by its own UnRegister
	// and stays out.
	c.tb.do(c.s.Start)
	waitFor(t, "C leads", c.s.Leader)
	waitFor(t, "B follows", func() bool { return b.s.Role() == "follower" })
	c.registered()
	waitFor(t, "B mirrors registered", func() bool {
		return slices.Equal(b.registerEvents(), []string{"registered", "unregistered", "registered"})
	})
	assert.Equal(t, "off", a.s.Role())
	assert.Empty(t, c.sessionEvents())
	assert.Equal(t, 1, c.registerCount())
}

// A follower's UnRegister only takes it out: the leader carries on, the
// follower hears nothing more and does not take over.
func TestFollowerLeaves(t *testing.T) {
	o := newOrigin(t)
	a, b, c := threeTabs(t, o)
	b.tb.do(b.s.Stop)
	waitFor(t, "B off", func() bool { return b.s.Role() == "off" })
	a.ring("call-5")
	waitFor(t, "C sees the call", func() bool { _, ok := c.s.RemoteCall(); return ok })
	assert.True(t, a.s.Leader())
	a.tb.kill()
	waitFor(t, "C leads", c.s.Leader)
	time.Sleep(20 * time.Millisecond)
	assert.Empty(t, b.sessionEvents())
	assert.Zero(t, b.registerCount())
	_, ok := b.s.MirroredStatus()
	assert.False(t, ok, "B reports its own phone's status")
}

// Two accounts in one origin: a leader each, and neither sees the other's
// calls or registration.
func TestAccountsDoNotMix(t *testing.T) {
	o := newOrigin(t)
	_, a1 := o.start("A1", "alice", Config{})
	_, b1 := o.start("B1", "bob", Config{})
	waitFor(t, "A1 leads", a1.s.Leader)
	waitFor(t, "B1 leads", b1.s.Leader)
	_, a2 := o.start("A2", "alice", Config{})
	_, b2 := o.start("B2", "bob", Config{})
	a1.registered()
	a1.ring("alice-call")
	waitFor(t, "A2 sees alice's call", func() bool { _, ok := a2.s.RemoteCall(); return ok })
	time.Sleep(20 * time.Millisecond)
	_, ok := b2.s.RemoteCall()
	assert.False(t, ok)
	assert.Empty(t, b2.sessionEvents())
	assert.Empty(t, b2.registerEvents())
	assert.Equal(t, "follower", b2.s.Role())
	assert.Equal(t, 1, a1.registerCount()+a2.registerCount())
	assert.Equal(t, 1, b1.registerCount()+b2.registerCount())
}

// Garbage, other protocol versions, missing fields, unknown types and
// commands, commands sent to a follower, and commands without the leader's
// token (another page of the origin forging them) change nothing and crash
// nothing; the leader logs and ignores them.
func TestMalformedMessagesIgnored(t *testing.T) {
	o := newOrigin(t)
	a, b, _ := threeTabs(t, o)
	a.ring("call-m")
	waitFor(t, "B sees the call", func() bool { _, ok := b.s.RemoteCall(); return ok })
	rogue := o.open("rogue")
	var heard []message
	rogue.OnMessage(func(b []byte) {
		if m, err := decode(b); err == nil {
			rogue.mu.Lock()
			heard = append(heard, m)
			rogue.mu.Unlock()
		}
	})
	for _, raw := range []string{
		``, `not json`, `[]`, `{}`, `null`, `{"v":2}`, `"{\"v\":2}"`, `1e999`,
		`{"v":1,"account":"alice","from":"X","type":"logout"}`,
		`{"v":2,"account":"alice","type":"logout"}`,
		`{"v":2,"account":"alice","from":"X","type":"bogus"}`,
		`{"v":2,"account":"alice","from":"X","type":"call","event":"incoming"}`,
		`{"v":2,"account":"alice","from":"X","type":"call","event":"incoming","call":"nope"}`,
		`{"v":2,"account":"alice","from":"X","type":"cmd","cmd":"reboot","id":"r1"}`,
		`{"v":2,"account":"alice","from":"X","type":"cmd","cmd":"answer"}`,
		`{"v":2,"account":"alice","from":"X","type":"cmd","cmd":"hangup","id":"r2"}`,
		`{"v":2,"account":"alice","from":"X","type":"cmd","cmd":"hangup","id":"r3","callId":"call-m"}`,
		`{"v":2,"account":"alice","from":"X","type":"cmd","cmd":"hangup","id":"r4","callId":"call-m","token":"guess"}`,
		`{"type":"cmd","cmd":"hangup"}`,
		`{"v":2,"account":"alice","from":"X","type":"result","id":"nope","to":"B","ok":true}`,
		`{"v":2,"account":"alice","from":"A","type":"logout"}`,
		`{"v":2,"account":"alice","from":"A","type":"logout","token":"guess"}`,
		`{"v":2,"account":"alice","from":"X","type":"state","calls":[{"callId":"fake","state":"incoming"}]}`,
		`{"v":2,"account":"alice","from":"X","type":"cmd","cmd":"dtmf","digit":"123","id":"r5","token":"guess"}`,
	} {
		rogue.Post([]byte(raw))
	}
	// Messages from one tab arrive in order: once the leader has answered
	// this hello, it has handled everything before it.
	rogue.Post(message{V: Version, Account: "alice", From: "rogue", Type: msgHello}.encode())
	waitFor(t, "the leader's state for the rogue's hello", func() bool {
		rogue.mu.Lock()
		defer rogue.mu.Unlock()
		for _, m := range heard {
			if m.Type == msgState && m.From == "A" {
				return true
			}
		}
		return false
	})
	rogue.mu.Lock()
	for _, m := range heard {
		assert.NotEqual(t, msgResult, m.Type, "the leader answered a forged command: %+v", m)
	}
	rogue.mu.Unlock()
	assert.True(t, a.s.Leader())
	assert.Equal(t, "follower", b.s.Role())
	assert.Equal(t, []string{"incoming"}, b.sessionEvents())
	_, _, _, executed := a.snapshot()
	assert.Empty(t, executed)
	calls := b.s.RemoteCalls()
	require.Len(t, calls, 1)
	assert.Equal(t, "call-m", calls[0].CallID)
}

// A leader that never answers a command: the follower's command times out.
func TestCommandTimesOut(t *testing.T) {
	o := newOrigin(t)
	_, a := o.start("A", "alice", Config{})
	waitFor(t, "A leads", a.s.Leader)
	_, b := o.start("B", "alice", Config{CommandTimeout: 50 * time.Millisecond})
	a.mu.Lock()
	a.block = make(chan struct{})
	a.mu.Unlock()
	t.Cleanup(func() { close(a.block) })
	a.ring("call-6")
	waitFor(t, "B sees the call", func() bool { _, ok := b.s.RemoteCall(); return ok })
	out, err := b.forward(Command{Name: CmdHold})
	require.NoError(t, err)
	select {
	case err := <-out:
		t.Fatalf("the command ended before its timeout: %v", err)
	default:
	}
	o.clock.Advance(time.Minute)
	select {
	case err := <-out:
		assert.ErrorIs(t, err, ErrTimeout)
	case <-time.After(2 * time.Second):
		t.Fatal("no timeout")
	}
}

// A session that is closed (the phone is replaced) gives up the lead without
// logging anyone out: the next tab takes over.
func TestCloseHandsOver(t *testing.T) {
	o := newOrigin(t)
	a, b, _ := threeTabs(t, o)
	a.tb.do(a.s.Close)
	waitFor(t, "B leads", b.s.Leader)
	assert.Contains(t, b.sessionEvents(), "re-register")
	a.tb.do(a.s.Start)
	time.Sleep(20 * time.Millisecond)
	assert.Equal(t, "off", a.s.Role(), "a closed session stays closed")
}

// A leader that logs in again right after logging out (still holding the
// lock) leads on at once, and the tabs it logged out follow it again.
func TestLoginRightAfterLogout(t *testing.T) {
	o := newOrigin(t)
	a, b, c := threeTabs(t, o)
	a.tb.do(func() { a.s.Stop(); a.s.Start() })
	waitFor(t, "A registers again", func() bool { return a.registerCount() == 2 })
	assert.True(t, a.s.Leader())
	a.registered()
	for _, f := range []*host{b, c} {
		waitFor(t, f.String()+" follows again", func() bool {
			return slices.Equal(f.registerEvents(), []string{"registered", "unregistered", "registered"})
		})
	}
	assert.Empty(t, o.clock.Pending(), "logging in again cancelled the logout grace")
	o.clock.Advance(time.Second) // past the logout grace: the lock was not given back
	assert.Equal(t, []*host{a}, leaderOf(a, b, c))
	assert.Empty(t, a.sessionEvents())
	b.tb.do(b.s.Stop)
	a.tb.kill()
	waitFor(t, "C takes over", c.s.Leader)
}
