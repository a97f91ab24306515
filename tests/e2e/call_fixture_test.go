package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/webphone/exotelsdk/tests/browser"
	"github.com/webphone/exotelsdk/tests/farend"
	"github.com/webphone/exotelsdk/tests/kamailio"
)

// callFixture is a page with client "alice" registered to a real Kamailio,
// whose fake microphone plays a 1 kHz tone, and a Go far end "bob" on the
// same server.
type callFixture struct {
	srv  *kamailio.Server
	page *browser.Page
	bob  *farend.Peer
	ctx  context.Context
}

func newCallFixture(t *testing.T, extra map[string]string) *callFixture {
	t.Helper()
	return newCallFixtureWith(t, extra, browser.Options{})
}

// newCallFixtureWith is newCallFixture with browser options; the fake
// microphone's tone is added to them.
func newCallFixtureWith(t *testing.T, extra map[string]string, opts browser.Options) *callFixture {
	t.Helper()
	srv := kamailio.Start(t, kamailio.Options{})
	base := browser.Serve(t)
	opts.FakeAudioFile = browser.ToneWAV(t, 1000, 0.5, 10)
	page := browser.Launch(t, opts).Open(t, base+"/tests/pages/phone.html")
	acct := account(t, srv, "alice")
	for k, v := range extra {
		acct[k] = v
	}
	page.Eval(t, `harness.create('alice', `+js(t, acct)+`).then(() => harness.clients.alice.DoRegister())`, nil)
	waitEvent(t, page, "register:alice", "registered", 10*time.Second)
	bob := farend.New(t, farend.Config{User: "bob", Domain: srv.Domain, Server: srv.UDPAddr, DisplayName: "Bob"})
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	return &callFixture{srv: srv, page: page, bob: bob, ctx: ctx}
}

// callEvents lists alice's call events in order.
func (f *callFixture) callEvents(t *testing.T) []string {
	return events(t, f.page, "call:alice")
}

func (f *callFixture) waitCall(t *testing.T, event string) {
	t.Helper()
	waitEvent(t, f.page, "call:alice", event, 20*time.Second)
}

// level is the RMS of what alice hears, over ms milliseconds.
func (f *callFixture) level(t *testing.T, ms int) float64 {
	t.Helper()
	var v float64
	f.page.Eval(t, fmt.Sprintf(`harness.level('alice', %d)`, ms), &v)
	return v
}

// farLevelEventually waits until the far end's received audio level (dBFS
// over 300 ms) satisfies ok, and returns the last level read. The page's
// 1 kHz tone arrives around -30 dBFS after Chromium's audio processing;
// silence is -100.
func farLevelEventually(t *testing.T, call *farend.Call, ok func(float64) bool, what string) float64 {
	t.Helper()
	deadline := time.Now().Add(8 * time.Second)
	var lvl float64
	for time.Now().Before(deadline) {
		lvl = call.AudioLevel(300 * time.Millisecond)
		if ok(lvl) {
			return lvl
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("far end audio never became %s (last level %.4f)", what, lvl)
	return lvl
}

// direction is the a=sendrecv/sendonly/recvonly/inactive of an SDP's audio.
func direction(sdp string) string {
	for _, d := range []string{"sendonly", "recvonly", "inactive", "sendrecv"} {
		if strings.Contains(sdp, "a="+d) {
			return d
		}
	}
	return "sendrecv"
}

func requireNoExceptions(t *testing.T, page *browser.Page) {
	t.Helper()
	require.Empty(t, page.Exceptions(), "uncaught exceptions in the page")
}
