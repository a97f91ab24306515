package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/webphone/exotelsdk/tests/browser"
	"github.com/webphone/exotelsdk/tests/coturn"
	"github.com/webphone/exotelsdk/tests/kamailio"
)

var digestResponse = regexp.MustCompile(`response="?([0-9a-fA-F]{32,64})"?`)

// TestDiagnosticsReportAndDownloadedLogsHoldNoSecrets: after a registration
// and an INVITE that both answered digest challenges with a distinctive
// password, and after the three tests with a yes and a no, the report given
// to reportCb and the file downloadLogs() really saves (a Chromium download
// into a temporary directory) hold the results, the answers, the devices
// and the SIP log, and neither the password, nor any digest response the
// page sent (read from the WebSocket frames through DevTools), nor the TURN
// credential.
func TestDiagnosticsReportAndDownloadedLogsHoldNoSecrets(t *testing.T) {
	srv := kamailio.Start(t, kamailio.Options{})
	turn := coturn.Start(t, coturn.Options{Password: "turn-cred-9931"})
	const user = "zq7vortex"
	password := kamailio.Password(user)
	tone := browser.ToneWAV(t, 1000, 0.5, 10)
	page := browser.Launch(t, browser.Options{FakeAudioFile: tone}).Open(t, browser.Serve(t)+"/tests/pages/phone.html")
	ctx := page.Context()

	var mu sync.Mutex
	var responses []string
	require.NoError(t, chromedp.Listen(ctx, func(ev any) {
		if f, ok := ev.(*network.EventWebSocketFrameSent); ok && f.Response != nil {
			mu.Lock()
			for _, m := range digestResponse.FindAllStringSubmatch(string(f.Response.PayloadData), -1) {
				responses = append(responses, m[1])
			}
			mu.Unlock()
		}
	}))
	_, err := chromedp.Call(ctx, network.Enable, network.EnableParams{})
	require.NoError(t, err)
	downloads := t.TempDir()
	yes := true
	_, err = chromedp.CallBrowser(ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
		Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllow, DownloadPath: downloads, EventsEnabled: &yes,
	})
	require.NoError(t, err)

	acct := account(t, srv, user)
	require.Equal(t, password, acct["secret"])
	page.Eval(t, `harness.create('me', `+js(t, acct)+`).then(() => harness.clients.me.DoRegister())`, nil)
	waitEvent(t, page, "register:me", "registered", 10*time.Second)
	page.Eval(t, `harness.clients.me.MakeCall('nobody')`, nil) // 407, then an authenticated INVITE, then 404
	waitEvent(t, page, "call:me", "callEnded", 20*time.Second)

	page.Eval(t, fmt.Sprintf(`harness.diagnostics('me'); harness.clients.me.setIceServers([{urls: %q}, {urls: %q, username: %q, credential: %q}])`,
		turn.STUNURL(true), turn.TURNURL(true, ""), turn.User, turn.Password), nil)
	page.Eval(t, `harness.clients.me.startMicDiagnosticsTest()`, nil)
	page.WaitUntil(t, `harness.keyValues('me', 'mic').length >= 5`, 10*time.Second)
	page.Eval(t, `harness.clients.me.stopMicDiagnosticsTest('yes'); harness.clients.me.startSpeakerDiagnosticsTest()`, nil)
	page.WaitUntil(t, `harness.keyValues('me', 'speaker').length >= 5`, 10*time.Second)
	page.Eval(t, `harness.clients.me.stopSpeakerDiagnosticsTest('no'); harness.clients.me.startNetworkDiagnostics()`, nil)
	page.WaitUntil(t, `harness.lastReport('me').includes('network test finished')`, 15*time.Second)
	var report string
	page.Eval(t, `harness.lastReport('me')`, &report)

	page.Eval(t, `harness.clients.me.downloadLogs()`, nil)
	file := waitDownload(t, downloads, 15*time.Second)
	assert.Regexp(t, `^exotelsdk-logs-\d{8}-\d{6}\.txt$`, filepath.Base(file))
	saved, err := os.ReadFile(file)
	require.NoError(t, err)

	mu.Lock()
	sent := append([]string(nil), responses...)
	mu.Unlock()
	require.GreaterOrEqual(t, len(sent), 2, "digest responses for REGISTER and INVITE went out")
	for name, text := range map[string]string{"report": report, "downloaded file": string(saved)} {
		for _, want := range []string{
			"mic test PASS: did the microphone capture the user's voice? yes",
			"speaker test FAIL: did the user hear the ringtone? no",
			"wss connected ws://", "userReg registered " + user, "srflx connected candidate:", "relay connected candidate:",
			"Browser: Chrome/", `"Fake Audio Input 1"`, "REGISTER sip:example.test SIP/2.0", "INVITE sip:nobody@example.test",
			`response="<redacted>"`, "secret=(set)",
		} {
			assert.Contains(t, text, want, name)
		}
		assert.NotContains(t, text, password, "%s: the password", name)
		assert.NotContains(t, text, turn.Password, "%s: the TURN credential", name)
		for _, r := range sent {
			assert.NotContains(t, text, r, "%s: a digest response", name)
		}
	}
	console := strings.Join(page.Console(), "\n")
	assert.NotContains(t, console, password, "console")
	for _, r := range sent {
		assert.NotContains(t, console, r, "console: a digest response")
	}
	requireNoExceptions(t, page)
}

// waitDownload waits for Chromium to finish saving a file into dir.
func waitDownload(t *testing.T, dir string, timeout time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if !strings.HasSuffix(e.Name(), ".crdownload") && strings.HasPrefix(e.Name(), "exotelsdk-logs-") {
				return filepath.Join(dir, e.Name())
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	entries, _ := os.ReadDir(dir)
	t.Fatalf("no download arrived in %s within %s (%d entries)", dir, timeout, len(entries))
	return ""
}
