package phone

import (
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/webphone/exotelsdk/sdk/media"
)

func TestSetMutedReachesTheMediaWithoutSignalling(t *testing.T) {
	f := newRegisteredFixture(t)
	c, sess := f.connectedIncoming(newFarEnd())

	c.SetMuted(true)
	assert.True(t, c.Muted())
	assert.True(t, c.Details().Muted)
	c.SetMuted(false)
	assert.False(t, c.Muted())

	muted := sess.named("SetMuted")
	require.Len(t, muted, 2)
	assert.True(t, muted[0].Muted)
	assert.False(t, muted[1].Muted)
	f.conn.quiet(t, 50*time.Millisecond)
}

func TestMutedBeforeAnswerMutesTheNewSession(t *testing.T) {
	f := newRegisteredFixture(t)
	fe := newFarEnd()
	c, _ := f.ring(fe, farSDP(1, media.SendRecv))
	c.SetMuted(true)
	f.answer(c, fe)
	muted := f.media.session(t, 0).named("SetMuted")
	require.Len(t, muted, 1)
	assert.True(t, muted[0].Muted)
}

// expectInfo checks a DTMF INFO of the phone within fe's dialog.
func expectInfo(t *testing.T, f *fixture, fe *farEnd, signal string) *sip.Request {
	t.Helper()
	info := f.conn.nextRequest(t, sip.INFO)
	assert.Equal(t, "application/dtmf-relay", header(info, "Content-Type"))
	assert.Equal(t, "Signal="+signal+"\r\nDuration=160\r\n", string(info.Body()))
	assert.Equal(t, fe.contact, info.Recipient.String())
	assert.Equal(t, []string{edgeRR, coreRR}, routes(info))
	assert.Equal(t, fe.tag, toTag(info))
	assert.Equal(t, fe.ourTag, fromTag(info))
	return info
}

func TestSendDTMFByInfo(t *testing.T) {
	f := newRegisteredFixture(t)
	fe := newFarEnd()
	c, sess := f.connectedIncoming(fe)

	require.NoError(t, c.SendDTMF("5"))
	info := expectInfo(t, f, fe, "5")
	assert.EqualValues(t, 1, info.CSeq().SeqNo)
	f.conn.inject(fe.reply(info, 200, "OK", ""))
	assert.Empty(t, sess.named("SendDTMF"), "INFO mode does not touch the media")
}

func TestDTMFInfosGoOneAtATimeInOrder(t *testing.T) {
	f := newRegisteredFixture(t)
	fe := newFarEnd()
	c, _ := f.connectedIncoming(fe)

	require.NoError(t, c.SendDTMF("1"))
	require.NoError(t, c.SendDTMF("#"))
	require.NoError(t, c.SendDTMF("a"))
	first := expectInfo(t, f, fe, "1")
	f.conn.quiet(t, 50*time.Millisecond) // the next waits for this one's answer
	f.conn.inject(fe.reply(first, 200, "OK", ""))
	second := expectInfo(t, f, fe, "#")
	f.conn.inject(fe.reply(second, 200, "OK", ""))
	third := expectInfo(t, f, fe, "A")
	assert.Equal(t, first.CSeq().SeqNo+2, third.CSeq().SeqNo)
	f.conn.inject(fe.reply(third, 200, "OK", ""))
}

func TestInvalidDTMFDigitsAreRefused(t *testing.T) {
	f := newRegisteredFixture(t)
	c, sess := f.connectedIncoming(newFarEnd())
	for _, d := range []string{"x", "12", "", " ", "E"} {
		assert.Error(t, c.SendDTMF(d), "digit %q", d)
	}
	f.conn.quiet(t, 50*time.Millisecond)
	assert.Empty(t, sess.named("SendDTMF"))
}

func TestDTMFNeedsAConnectedCall(t *testing.T) {
	f := newRegisteredFixture(t)
	c, _ := f.ring(newFarEnd(), farSDP(1, media.SendRecv))
	assert.Error(t, c.SendDTMF("5"))
	f.conn.quiet(t, 30*time.Millisecond)
}

func TestSendDTMFByRFC4733GoesToTheMedia(t *testing.T) {
	f := newRegisteredFixture(t, func(d *Deps) { d.DTMFMode = media.DTMFRFC4733 })
	c, sess := f.connectedIncoming(newFarEnd())

	require.NoError(t, c.SendDTMF("5"))
	ops := sess.named("SendDTMF")
	require.Len(t, ops, 1)
	assert.Equal(t, '5', ops[0].Digit)
	f.conn.quiet(t, 50*time.Millisecond)

	f.phone.SetDTMFMode(media.DTMFInfo)
	require.NoError(t, c.SendDTMF("7"))
	info := f.conn.nextRequest(t, sip.INFO)
	assert.Equal(t, "Signal=7\r\nDuration=160\r\n", string(info.Body()))
}
