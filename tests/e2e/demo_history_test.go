package e2e

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A call as a person sees it: while the bot's call is up the microphone
// meter moves (the fake microphone plays a tone) and the quality line shows
// the codec, jitter and loss from getStatistics(); digits typed on the
// keyboard go out as DTMF (the bot reads them back); once hung up the call
// is in Recent calls with its duration, and Redial calls the bot again.
func TestDemoCallQualityKeyboardDTMFAndRedial(t *testing.T) {
	f := newDemoFixture(t, "")
	f.register(t)
	assert.Equal(t, "No calls yet.", f.text(t, "historyEmpty"))

	f.page.Click(t, "#callBot")
	f.waitText(t, "callState", "connected", 15*time.Second)
	var callID string
	f.page.Eval(t, `demo.client.getCall().callId`, &callID)
	call, ok := f.srv.Bot().Call(callID)
	require.True(t, ok)

	f.page.WaitUntil(t, `document.getElementById('micLevel').value > 0.05`, 15*time.Second)
	// How good the call is depends on the machine; that it is measured does not.
	f.page.WaitUntil(t, `document.getElementById('quality').dataset.grade !== 'unknown'`, 15*time.Second)
	figures := f.text(t, "qualityFigures")
	assert.Contains(t, figures, "PCMU")
	assert.Regexp(t, `jitter \d+ ms`, figures)
	assert.Regexp(t, `loss \d+\.\d %`, figures)
	assert.Regexp(t, `^quality: `, f.text(t, "qualityGrade"))

	// Muted, the meter drops to nothing: it shows what the far end gets.
	f.page.Click(t, "#mute")
	f.page.WaitUntil(t, `document.getElementById('micLevel').value === 0`, 5*time.Second)
	f.page.Click(t, "#mute")

	// The keyboard's digits are DTMF while the focus is not in a field.
	require.NoError(t, chromedp.Do(f.page.Context(), chromedp.KeyEvent("7")))
	require.NoError(t, chromedp.Do(f.page.Context(), chromedp.KeyEvent("#")))
	f.waitText(t, "botDigits", "7#", 10*time.Second)
	assert.Equal(t, "7#", call.Digits())
	var dialed string
	f.page.Eval(t, `document.getElementById('dialTo').value`, &dialed)
	assert.Empty(t, dialed, "digits typed during a call do not go to the dial box")

	f.page.WaitUntil(t, `document.getElementById('callTimer').textContent !== '00:00'`, 5*time.Second)
	f.page.Click(t, "#hangup")
	f.page.WaitUntil(t, `document.getElementById('callPanel').hidden`, 10*time.Second)
	f.waitText(t, "callEnd", "Call with bot ended: you hung up.", 5*time.Second)

	var entries []string
	f.page.Eval(t, `[...document.querySelectorAll('#history li')].map((li) => li.textContent)`, &entries)
	require.Len(t, entries, 1)
	assert.Contains(t, entries[0], "↗")
	assert.Contains(t, entries[0], "bot")
	assert.Regexp(t, `\d+:\d\d`, entries[0], "the call's duration")
	assert.True(t, f.hidden(t, "historyEmpty"))

	f.page.Click(t, "#history li .redial")
	f.waitText(t, "callState", "connected", 15*time.Second)
	assert.Equal(t, "bot", f.text(t, "remoteName"))
	f.page.Click(t, "#hangup")
	f.page.WaitUntil(t, `document.querySelectorAll('#history li').length === 2`, 10*time.Second)

	// History survives a reload (localStorage).
	require.NoError(t, chromedp.Do(f.page.Context(), chromedp.Reload()))
	f.page.WaitUntil(t, `document.querySelectorAll('#history li').length === 2`, 10*time.Second)
	assert.Empty(t, f.page.Exceptions())
}
