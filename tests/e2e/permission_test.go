package e2e

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/webphone/exotelsdk/tests/browser"
	"github.com/webphone/exotelsdk/tests/farend"
)

// With the microphone refused, checkClientStatus says so, and answering a
// call fails cleanly: the far end gets an error response, the app callEnded.
func TestMicrophoneDenied(t *testing.T) {
	f := newCallFixtureWith(t, nil, browser.Options{RealPermissionPrompts: true})
	var origin string
	f.page.Eval(t, `location.origin`, &origin)
	f.page.SetMicrophone(t, origin, false)
	assert.Equal(t, "media_permission_denied", status(t, f.page, "alice"))

	call, err := f.bob.Dial(f.ctx, "alice", farend.CallOptions{})
	require.NoError(t, err)
	f.waitCall(t, "incoming")
	f.page.Eval(t, `harness.clients.alice.getCall().Answer()`, nil)
	f.waitCall(t, "callEnded")
	code, err := call.WaitFinal(f.ctx)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, code, 400, "the far end hears a refusal, not silence")
	var reason string
	f.page.Eval(t, `harness.lastCall('alice').callDetails().callEndReason`, &reason)
	assert.Contains(t, reason, "NotAllowedError")

	f.page.SetMicrophone(t, origin, true)
	assert.Equal(t, "registered", status(t, f.page, "alice"))
	requireNoExceptions(t, f.page)
}
