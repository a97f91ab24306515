package e2e

import (
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/webphone/exotelsdk/tests/farend"
)

// SDP the browser cannot use, from a far end behind Kamailio, ends the call
// with callEndCause 'media-failed' and a clear reason, and the far end is
// told (BYE for an answer in a 200, 488 for an offer); never a stuck call.
func TestUnusableSDPEndsTheCallAsMediaFailed(t *testing.T) {
	f := newCallFixture(t, nil)
	strip := func(pattern string) func(string) string {
		re := regexp.MustCompile(pattern)
		return func(sdp string) string { return re.ReplaceAllString(sdp, "") }
	}
	for _, tc := range []struct {
		name string
		edit func(string) string
	}{
		{"an answer without a DTLS fingerprint", strip(`(?m)^a=fingerprint:.*\r\n`)},
		{"an answer without ICE credentials", strip(`(?m)^a=ice-(ufrag|pwd):.*\r\n`)},
		{"an answer with no codec in common", func(sdp string) string {
			return regexp.MustCompile(`(?m)^a=rtpmap:(\d+) [^\r]*`).ReplaceAllString(sdp, "a=rtpmap:$1 X-NONE/8000")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f.page.Eval(t, `harness.clients.alice.MakeCall('bob')`, nil)
			inc, err := f.bob.WaitIncoming(f.ctx)
			require.NoError(t, err)
			require.NoError(t, inc.AnswerEdited(f.ctx, tc.edit))
			f.page.WaitUntil(t, `harness.lastCall('alice').callDetails().callState === 'callEnded'`, 10*time.Second)
			var d map[string]any
			f.page.Eval(t, `harness.lastCall('alice').callDetails()`, &d)
			assert.Equal(t, "media-failed", d["callEndCause"])
			assert.Contains(t, d["callEndReason"], "unusable answer")
			reason, err := inc.WaitEnded(f.ctx)
			require.NoError(t, err)
			assert.Equal(t, "remote BYE", reason, "the far end is hung up")
		})
	}

	t.Run("an offer without ICE credentials", func(t *testing.T) {
		call, err := f.bob.Dial(f.ctx, "alice", farend.CallOptions{EditOffer: strip(`(?m)^a=(ice-ufrag|ice-pwd|fingerprint):.*\r\n`)})
		require.NoError(t, err)
		// pion's offer is for WebRTC; without ICE and DTLS the browser cannot answer it.
		f.page.WaitUntil(t, `harness.lastCall('alice') && harness.lastCall('alice').callDetails().callState === 'incoming' && harness.lastCall('alice').callId === `+js(t, call.CallID()), 10*time.Second)
		f.page.Eval(t, `harness.lastCall('alice').Answer()`, nil)
		code, err := call.WaitFinal(f.ctx)
		require.NoError(t, err)
		assert.Equal(t, 488, code)
		f.page.WaitUntil(t, `harness.lastCall('alice').callDetails().callState === 'callEnded'`, 10*time.Second)
		var cause string
		f.page.Eval(t, `harness.lastCall('alice').callDetails().callEndCause`, &cause)
		assert.Equal(t, "media-failed", cause)
	})
	requireNoExceptions(t, f.page)
}
