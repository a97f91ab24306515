package e2e

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/webphone/exotelsdk/internal/devpbx/bot"
	"github.com/webphone/exotelsdk/tests/browser"
)

// The one-command demo, driven only through its own buttons: register,
// ask the bot to call, answer, hear the bot's chime (measured on the
// received stream) while the bot hears the page's microphone, mute and
// hold (seen at the bot), send DTMF from the keypad and see the bot's
// read-back on the page, hang up. A screenshot of the call is kept in
// tests/artifacts/demo.png.
func TestDemoBotCallsAndReadsBackDigits(t *testing.T) {
	f := newDemoFixture(t, "")
	dialogs := f.page.WatchDialogs(t)
	f.register(t)
	assert.Contains(t, f.text(t, "regBadge"), "registered as alice")
	f.page.Click(t, "#checkStatus")
	f.waitText(t, "clientStatus", "registered", 10*time.Second)

	f.page.Click(t, "#botCallMe")
	f.page.WaitUntil(t, `!document.getElementById('incoming').hidden`, 15*time.Second)
	assert.Equal(t, bot.DefaultDisplayName, f.text(t, "incomingName"))
	assert.Equal(t, "(bot)", f.text(t, "incomingId"))

	f.page.Click(t, "#answer")
	f.waitText(t, "callState", "connected", 15*time.Second)
	assert.True(t, f.hidden(t, "incoming"), "the banner goes once answered")
	var callID string
	f.page.Eval(t, `demo.client.getCall().callId`, &callID)
	call, ok := f.srv.Bot().Call(callID)
	require.True(t, ok, "the page's call is the bot's call %q", callID)

	// Sound both ways: the page hears the chime; the bot hears the page's tone.
	require.Eventually(t, func() bool { return f.heardLevel(t, 1000) > 0.03 }, 15*time.Second, 100*time.Millisecond,
		"the page hears the bot")
	require.Eventually(t, func() bool { return call.HeardLevel(300*time.Millisecond) > -45 }, 10*time.Second, 100*time.Millisecond,
		"the bot hears the page's microphone")

	// Mute silences the microphone at the bot; Unmute brings it back.
	f.page.Click(t, "#mute")
	require.Eventually(t, func() bool { return call.HeardLevel(300*time.Millisecond) < -70 }, 10*time.Second, 100*time.Millisecond,
		"muted: the bot hears silence")
	f.page.Click(t, "#mute")
	require.Eventually(t, func() bool { return call.HeardLevel(300*time.Millisecond) > -45 }, 10*time.Second, 100*time.Millisecond,
		"unmuted")

	// Hold and resume re-INVITE the bot.
	f.page.Click(t, "#hold")
	require.Eventually(t, call.OnHold, 10*time.Second, 50*time.Millisecond, "the bot is put on hold")
	f.waitText(t, "callState", "on hold", 5*time.Second)
	f.page.Click(t, "#hold")
	require.Eventually(t, func() bool { return !call.OnHold() }, 10*time.Second, 50*time.Millisecond, "and resumed")

	// The keypad sends DTMF; the page shows what the bot heard.
	for _, d := range []string{"1", "2", "#"} {
		f.page.Click(t, `.key[data-digit="`+d+`"]`)
	}
	f.waitText(t, "botDigits", "12#", 10*time.Second)
	assert.Equal(t, "12#", call.Digits())
	assert.NotEqual(t, "00:00", f.text(t, "callTimer"), "the call timer runs")

	// A desktop-sized window for the picture.
	require.NoError(t, chromedp.Do(f.page.Context(), chromedp.EmulateViewport(1280, 900)))
	f.page.Screenshot(t, filepath.Join(browser.RepoRoot(t), "tests", "artifacts", "demo.png"))

	f.page.Click(t, "#hangup")
	f.page.WaitUntil(t, `document.getElementById('callPanel').hidden`, 10*time.Second)
	select {
	case <-call.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the bot's call did not end")
	}
	f.waitText(t, "botStatus", "call ended (the other side hung up)", 5*time.Second)
	assert.Empty(t, f.page.Exceptions())
	assert.Empty(t, dialogs.Opened())

	f.page.Click(t, "#unregister")
	f.waitText(t, "regState", "unregistered", 10*time.Second)
}

// A caller's display name is shown as text: the bot calls with the
// display name <img src=x onerror=alert(1)>; the page shows those very
// characters, creates no <img> element and opens no dialog. (The watcher
// is shown to catch a real alert at the end, so its silence means something.)
func TestDemoDisplayNameIsText(t *testing.T) {
	const evil = `<img src=x onerror=alert(1)>`
	f := newDemoFixture(t, "?user=dave")
	dialogs := f.page.WatchDialogs(t)
	f.register(t)
	askBotToCall(t, f.srv, "dave", evil)
	f.page.WaitUntil(t, `!document.getElementById('incoming').hidden`, 15*time.Second)
	assert.Equal(t, evil, f.text(t, "incomingName"))
	var shown string
	f.page.Eval(t, `document.getElementById('incoming').innerText`, &shown)
	assert.Contains(t, shown, evil, "the name is visible, literally")

	f.page.Click(t, "#answer")
	f.waitText(t, "callState", "connected", 15*time.Second)
	assert.Equal(t, evil, f.text(t, "remoteName"))
	assert.Contains(t, f.text(t, "eventLog"), evil, "the event log shows it as text too")
	time.Sleep(500 * time.Millisecond) // an onerror would have fired by now
	var images int
	f.page.Eval(t, `document.querySelectorAll('img').length`, &images)
	assert.Zero(t, images, "no <img> element was created")
	assert.Empty(t, dialogs.Opened(), "no dialog opened")
	assert.Empty(t, f.page.Exceptions())

	f.page.Click(t, "#hangup")
	f.page.WaitUntil(t, `document.getElementById('callPanel').hidden`, 10*time.Second)

	f.page.Eval(t, `setTimeout(() => alert('probe'), 0), true`, nil)
	require.Eventually(t, func() bool { return len(dialogs.Opened()) == 1 }, 5*time.Second, 50*time.Millisecond,
		"the dialog watcher sees a real alert")
	assert.Equal(t, "alert: probe", dialogs.Opened()[0])
}
