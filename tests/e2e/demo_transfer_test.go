package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The demo shows transfers with the development server's bot, no account
// needed: "*" in a call to the bot gets us transferred to bot2 (the bot's
// REFER, a new call from the page, the bot hangs up), and the Transfer form
// hands the bot on to bot2 (our REFER, the bot calls bot2, our call ends).
func TestDemoTransfers(t *testing.T) {
	f := newDemoFixture(t, "")
	f.register(t)

	t.Run("star: the bot transfers us to bot2", func(t *testing.T) {
		f.page.Click(t, "#callBot")
		f.waitText(t, "callState", "connected", 15*time.Second)
		f.page.Click(t, `.key[data-digit="*"]`)
		f.page.WaitUntil(t, `(function () { var c = demo.client.getCalls();
			return c.length === 1 && c[0].remoteId === 'bot2' && c[0].callState === 'connected'; })()`, 20*time.Second)
		f.waitText(t, "callState", "connected", 15*time.Second)
		assert.Equal(t, "bot2", strings.Trim(f.text(t, "remoteName"), " "))
		var referredBy string
		f.page.Eval(t, `demo.client.getCall().callDetails().referredBy`, &referredBy)
		assert.Contains(t, referredBy, "sip:bot@", "callDetails().referredBy")
		require.Eventually(t, func() bool { return f.heardLevel(t, 400) > 0.01 }, 15*time.Second, 100*time.Millisecond,
			"bot2's chime is heard")
		f.page.Click(t, "#hangup")
		f.page.WaitUntil(t, `document.getElementById('callPanel').hidden`, 10*time.Second)
	})

	t.Run("Transfer form: the bot is handed on to bot2", func(t *testing.T) {
		f.page.Click(t, "#callBot")
		f.waitText(t, "callState", "connected", 15*time.Second)
		f.page.WaitUntil(t, `!document.getElementById('transferForm').hidden`, 5*time.Second)
		f.page.Eval(t, `document.getElementById('transferTo').value = 'bot2'`, nil)
		f.page.Click(t, "#transfer")
		f.page.WaitUntil(t, `document.getElementById('eventLog').textContent.indexOf('Transferred to bot2') >= 0`, 20*time.Second)
		f.page.WaitUntil(t, `document.getElementById('callPanel').hidden`, 10*time.Second)
		require.Eventually(t, func() bool {
			for _, c := range f.srv.Bot().Calls() {
				if c.User == "bot2" && c.Direction == "outgoing" && c.State == "connected" {
					return true
				}
			}
			return false
		}, 10*time.Second, 50*time.Millisecond, "the bot called bot2: %+v", f.srv.Bot().Calls())
		assert.Empty(t, f.page.Exceptions())
	})
}
