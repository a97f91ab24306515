package phone

import (
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/webphone/exotelsdk/sdk/media"
)

// Mix makes fakeMedia a media.Mixer: it records each set of members.
func (m *fakeMedia) Mix(sessions []media.Session) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.mixes = append(m.mixes, append([]media.Session(nil), sessions...))
	return nil
}

// mixed lists every Mix so far.
func (m *fakeMedia) mixed() [][]media.Session {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([][]media.Session(nil), m.mixes...)
}

// waitMix waits until the last Mix had exactly these sessions.
func (m *fakeMedia) waitMix(t *testing.T, want ...*fakeSession) {
	t.Helper()
	same := func() bool {
		all := m.mixed()
		if len(all) == 0 || len(all[len(all)-1]) != len(want) {
			return false
		}
		for i, s := range all[len(all)-1] {
			if s != media.Session(want[i]) {
				return false
			}
		}
		return true
	}
	require.Eventually(t, same, waitFor, 2*time.Millisecond, "the last Mix is not the %d sessions wanted: %v", len(want), m.mixed())
}

// confParty is one connected call of a conference test and its far end.
type confParty struct {
	c    *Call
	fe   *farEnd
	sess *fakeSession
	seq  uint32 // the CSeq of our last in-dialog INVITE to it
}

// answerHeld answers the re-INVITE holding p: 200 recvonly, then expects the ACK.
func (f *fixture) answerReinvite(p *confParty, want media.Direction) {
	t := f.t
	t.Helper()
	p.seq++
	req := expectReinvite(t, f, p.fe, p.seq)
	assert.Equal(t, want, sdpDirection(string(req.Body())), "re-INVITE to %s", p.fe.callID)
	f.conn.inject(p.fe.reply(req, 200, "OK", farSDP(int(p.seq)+1, answerDirection(want))))
	expectAck(t, f, req)
}

// connectedCalls answers n incoming calls one after the other; answering
// each holds the one before, so all but the newest end up held.
func connectedCalls(f *fixture, n int) []*confParty {
	t := f.t
	t.Helper()
	var parties []*confParty
	for i := 0; i < n; i++ {
		fe := newFarEnd()
		if i == 0 {
			c, sess := f.connectedIncoming(fe)
			parties = append(parties, &confParty{c: c, fe: fe, sess: sess})
			continue
		}
		c := f.ringAnother(fe)
		require.NoError(t, c.Answer())
		f.answerReinvite(parties[i-1], media.SendOnly)
		fe.learn(f.conn.nextResponse(t, 200))
		f.conn.inject(fe.ack(fe.inviteCSeq, ""))
		waitEventOf(t, f, c, "connected")
		parties = append(parties, &confParty{c: c, fe: fe, sess: f.media.session(t, i)})
	}
	return parties
}

// conferenceAsync runs Conference in the background (it waits for the
// re-INVITEs resuming the held calls).
func conferenceAsync(f *fixture) <-chan error {
	done := make(chan error, 1)
	go func() { done <- f.phone.Conference() }()
	return done
}

// inConference lists each party's InConference.
func inConference(parties []*confParty) []bool {
	var out []bool
	for _, p := range parties {
		out = append(out, p.c.InConference())
	}
	return out
}

// conferenceOf makes n connected calls and joins them: each held one is
// resumed (re-INVITE sendrecv), in order, and nobody is held meanwhile.
func conferenceOf(f *fixture, n int) []*confParty {
	t := f.t
	t.Helper()
	parties := connectedCalls(f, n)
	done := conferenceAsync(f)
	for _, p := range parties[:n-1] {
		f.answerReinvite(p, media.SendRecv)
	}
	require.NoError(t, result(t, done))
	sessions := []*fakeSession{}
	for _, p := range parties {
		sessions = append(sessions, p.sess)
		assert.False(t, p.c.Held(), "every member is resumed")
	}
	f.media.waitMix(t, sessions...)
	return parties
}

// Conference() with fewer than two connected calls is refused and sends
// nothing: no re-INVITE, no mixing.
func TestConferenceNeedsTwoCalls(t *testing.T) {
	f, _ := manyCalls(t, 3)
	assert.Error(t, f.phone.Conference(), "no call at all")
	a, _ := f.connectedIncoming(newFarEnd())
	err := f.phone.Conference()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "at least two")
	b := f.ringAnother(newFarEnd())
	assert.Error(t, f.phone.Conference(), "a ringing call does not count")
	f.conn.quiet(t, 30*time.Millisecond)
	assert.Empty(t, f.media.mixed())
	assert.False(t, a.InConference())
	assert.False(t, b.InConference())
	assert.Error(t, f.phone.EndConference(), "there is no conference to end")
}

// Conference() resumes the held calls without holding the connected one
// (unlike UnHold), mixes all three and marks them inConference.
func TestConferenceResumesTheHeldCallsAndMixesThemAll(t *testing.T) {
	f, _ := manyCalls(t, 3)
	parties := conferenceOf(f, 3)
	assert.Equal(t, []bool{true, true, true}, inConference(parties))
	assert.True(t, parties[0].c.Details().InConference)
	assert.Empty(t, parties[2].sess.named("SetHeld"), "the newest call was never held, and is not now")
	f.conn.quiet(t, 30*time.Millisecond) // no hold of anyone
	held := parties[0].sess.named("SetHeld")
	require.NotEmpty(t, held)
	assert.False(t, held[len(held)-1].Held, "the oldest sends again")
}

// A member that hangs up leaves the others in the conference; when only one
// call is left it is no conference any more and simply stays connected.
func TestConferenceMemberThatEndsLeavesTheRest(t *testing.T) {
	f, _ := manyCalls(t, 3)
	p := conferenceOf(f, 3)
	f.conn.inject(p[2].fe.inDialog("BYE", "", ""))
	f.conn.nextResponse(t, 200)
	waitEventOf(t, f, p[2].c, "terminated")
	f.media.waitMix(t, p[0].sess, p[1].sess)
	assert.Equal(t, []bool{true, true, false}, inConference(p))

	require.NoError(t, p[1].c.Hangup())
	f.conn.nextRequest(t, sip.BYE)
	f.media.waitMix(t)
	assert.False(t, p[0].c.InConference())
	assert.Equal(t, StateConnected, p[0].c.State())
	assert.False(t, p[0].c.Held(), "the last call is not held by its partner leaving")
	f.conn.quiet(t, 30*time.Millisecond)
}

// EndConference() keeps the newest call connected and holds the others.
func TestEndConferenceKeepsTheNewestAndHoldsTheOthers(t *testing.T) {
	f, _ := manyCalls(t, 3)
	p := conferenceOf(f, 3)
	done := make(chan error, 1)
	go func() { done <- f.phone.EndConference() }()
	f.answerReinvite(p[0], media.SendOnly)
	f.answerReinvite(p[1], media.SendOnly)
	require.NoError(t, result(t, done))
	f.media.waitMix(t)
	assert.Equal(t, []bool{false, false, false}, inConference(p))
	assert.True(t, p[0].c.Held())
	assert.True(t, p[1].c.Held())
	assert.False(t, p[2].c.Held())
	assert.Same(t, p[2].c, f.phone.CurrentCall())
	f.conn.quiet(t, 30*time.Millisecond)
	assert.Error(t, f.phone.EndConference(), "it has ended already")
}

// A new call while in conference ends the conference: the members are held
// before the INVITE, as any call we were talking on.
func TestANewCallDuringAConferenceEndsItAndHoldsTheMembers(t *testing.T) {
	f, _ := manyCalls(t, 3)
	p := conferenceOf(f, 2)
	_, err := f.phone.MakeCall("bob", CallOptions{})
	require.NoError(t, err)
	f.answerReinvite(p[0], media.SendOnly)
	f.answerReinvite(p[1], media.SendOnly)
	f.media.waitMix(t)
	assert.Equal(t, []bool{false, false}, inConference(p))
	inv := f.conn.nextRequest(t, sip.INVITE)
	assert.NotEqual(t, p[0].fe.callID, inv.CallID().Value())
}

// Holding a member takes it out of the mix before it goes silent; the
// other two stay in conference and are not held.
func TestHoldingAMemberTakesItOutOfTheConference(t *testing.T) {
	f, _ := manyCalls(t, 3)
	p := conferenceOf(f, 3)
	done := setHoldAsync(p[0].c, true)
	f.media.waitMix(t, p[1].sess, p[2].sess)
	f.answerReinvite(p[0], media.SendOnly)
	require.NoError(t, result(t, done))
	assert.Equal(t, []bool{false, true, true}, inConference(p))
	assert.False(t, p[1].c.Held())
	assert.False(t, p[2].c.Held())
	f.conn.quiet(t, 30*time.Millisecond)

	// Conference() again brings it back in.
	again := conferenceAsync(f)
	f.answerReinvite(p[0], media.SendRecv)
	require.NoError(t, result(t, again))
	f.media.waitMix(t, p[0].sess, p[1].sess, p[2].sess)
	assert.Equal(t, []bool{true, true, true}, inConference(p))
}

// Mute() on a member mutes only that call's session: the mixer then leaves
// our microphone out of what that far end hears.
func TestMutingAMemberMutesOnlyItsSession(t *testing.T) {
	f, _ := manyCalls(t, 3)
	p := conferenceOf(f, 2)
	p[0].c.SetMuted(true)
	assert.Equal(t, []mediaOp{{Op: "SetMuted", Muted: true}}, p[0].sess.named("SetMuted"))
	assert.Empty(t, p[1].sess.named("SetMuted"))
	assert.Equal(t, []bool{true, true}, inConference(p), "muting does not leave the conference")
	f.conn.quiet(t, 30*time.Millisecond)
}

// A media without a Mixer cannot hold a conference: Conference() says so
// and changes nothing, even with two calls.
func TestConferenceWithoutAMixerIsRefused(t *testing.T) {
	acct := testAccountInfo()
	acct.MaxCalls = 2
	f := newRegisteredFixtureFor(t, acct, func(d *Deps) { d.Media = struct{ media.Factory }{d.Media} })
	p := connectedCalls(f, 2)
	assert.ErrorIs(t, f.phone.Conference(), errNoMixer)
	f.conn.quiet(t, 30*time.Millisecond)
	assert.True(t, p[0].c.Held(), "the held call stays held")
	assert.Equal(t, []bool{false, false}, inConference(p))
}
