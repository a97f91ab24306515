package phone

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/webphone/exotelsdk/sdk/media"
)

func TestSecondInviteWhileACallExistsIsBusy(t *testing.T) {
	f := newRegisteredFixture(t)
	first := newFarEnd()
	c, _ := f.ring(first, farSDP(1, media.SendRecv))

	second := newFarEnd()
	f.conn.inject(second.invite(farSDP(2, media.SendRecv)))
	busy := f.conn.nextResponse(t, 486)
	assert.Equal(t, second.callID, busy.CallID().Value())

	assert.Same(t, c, f.phone.CurrentCall(), "the first call is still the phone's call")
	assert.Equal(t, StateIncoming, c.State())
	f.answer(c, first)
	f.conn.inject(first.ack(first.inviteCSeq, ""))
	f.events.callEventsSoon(t, StateIncoming, StateConnected)
	assert.Equal(t, 1, f.media.sessionCount(), "the refused call made no media session")
}

func TestInviteWithoutUsableAudioIsRefused488(t *testing.T) {
	sdp := farSDP(1, media.SendRecv)
	cases := []struct{ name, body, ctype string }{
		{"no SDP", "", ""},
		{"m=audio 0", strings.Replace(sdp, "m=audio 40000", "m=audio 0", 1), "application/sdp"},
		{"video only", strings.Replace(sdp, "m=audio", "m=video", 1), "application/sdp"},
		{"not SDP", "hello", "text/plain"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newRegisteredFixture(t)
			fe := newFarEnd()
			fe.cseq++
			f.conn.inject(fe.build("INVITE", fe.ourURI, newBranch(), fe.cseq, "", tc.body, tc.ctype,
				[]string{edgeRR, coreRR}, nil))
			res := f.conn.nextResponse(t, 488)
			assert.Equal(t, sip.INVITE, res.CSeq().MethodName)
			f.conn.quiet(t, 50*time.Millisecond)
			assert.Empty(t, f.events.callEvents(), "the app hears nothing of a refused call")
			assert.Nil(t, f.phone.CurrentCall())
		})
	}
}

func TestMediaAnswerFailingRejects488(t *testing.T) {
	f := newRegisteredFixture(t)
	f.media.failAnswers(errors.New("getUserMedia: NotAllowedError"))
	fe := newFarEnd()
	c, ringing := f.ring(fe, farSDP(1, media.SendRecv))
	require.NoError(t, c.Answer())

	res := f.conn.nextResponse(t, 488)
	assert.Equal(t, toTag(ringing), toTag(res), "the rejection keeps the 180's To tag")
	f.events.callEventsSoon(t, StateIncoming, StateCallEnded)
	assert.Contains(t, c.Details().CallEndReason, "NotAllowedError")
	assert.Contains(t, f.media.session(t, 0).names(), "Close")
	assert.Nil(t, f.phone.CurrentCall())
}

func TestAnswerTwiceIsRefused(t *testing.T) {
	f := newRegisteredFixture(t)
	fe := newFarEnd()
	c, _ := f.ring(fe, farSDP(1, media.SendRecv))
	f.answer(c, fe)
	assert.Error(t, c.Answer(), "already answering")
	f.conn.inject(fe.ack(fe.inviteCSeq, ""))
	f.events.waitCall(t, StateConnected)
	assert.Error(t, c.Answer(), "already connected")
}

func TestOptionsOutOfDialogIsAnswered200(t *testing.T) {
	f := newRegisteredFixture(t)
	f.conn.inject(newFarEnd().outOfDialog("OPTIONS"))
	res := f.conn.nextResponse(t, 200)
	assert.Equal(t, sip.OPTIONS, res.CSeq().MethodName)
	assert.Contains(t, header(res, "Allow"), "INVITE")
}

func TestRequestsForUnknownDialogsAre481(t *testing.T) {
	f := newRegisteredFixture(t)
	fe := newFarEnd()
	fe.ourTag, fe.target = "nosuchtag", "sip:alice@example.test"
	f.conn.inject(fe.inDialog("BYE", "", ""))
	res := f.conn.nextResponse(t, 481)
	assert.Equal(t, sip.BYE, res.CSeq().MethodName)

	f.conn.inject(newFarEnd().outOfDialog("BYE"))
	res = f.conn.nextResponse(t, 481)
	assert.Equal(t, sip.BYE, res.CSeq().MethodName, "a BYE without To tag matches no dialog either")
}

func TestUnknownMethodOutOfDialogIs405(t *testing.T) {
	f := newRegisteredFixture(t)
	f.conn.inject(newFarEnd().outOfDialog("MESSAGE"))
	res := f.conn.nextResponse(t, 405)
	assert.Contains(t, header(res, "Allow"), "INVITE")
}
