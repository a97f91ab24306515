package firefox

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// In Firefox ESR the SDK registers with Kamailio, reports status, and
// un-registers, with the same callbacks in the same order as in Chromium.
func TestFirefoxRegistersAndUnregisters(t *testing.T) {
	f := newFixture(t)
	page := f.phone(t, "")
	var supported bool
	page.Eval(t, `new exotelSDK.ExotelWebClient().isWebRTCSupported()`, &supported)
	assert.True(t, supported, "WebRTC is supported in Firefox")

	f.register(t, page, "alice")
	var at []float64 // ms since navigation: sent_request, registered
	page.Eval(t, `harness.events.filter((e) => e.kind === 'register:alice').map((e) => e.t)`, &at)
	require.GreaterOrEqual(t, len(at), 2)
	t.Logf("Firefox %s: first REGISTER sent → registered in %.0f ms", f.firefox.Version(t), at[1]-at[0])
	assert.Equal(t, "registered", status(t, page, "alice"))
	page.Eval(t, `harness.clients.alice.UnRegister()`, nil)
	waitEvent(t, page, "register:alice", "unregistered", 10*time.Second)
	assert.Equal(t, []string{"sent_request", "registered", "sent_request", "unregistered"}, events(t, page, "register:alice"))
	assert.Equal(t, "unregistered", status(t, page, "alice"))
	require.Empty(t, page.Exceptions())
}
