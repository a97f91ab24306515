package e2e

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Two tabs of the demo as the same user with "Coordinate tabs" on
// (SessionListener): one registration between them; a call shows its
// banner in the tab that registered and a notice in the other
// (SessionCallback), which goes once the call is answered; when the
// registering tab closes, the other takes over (re-register) and is
// called next.
func TestDemoTabsShareOneRegistration(t *testing.T) {
	first := newDemoFixture(t, "?user=alice&tabs")
	second := &demoFixture{srv: first.srv, page: first.browser.Open(t, first.srv.URL()+"?user=alice&tabs")}
	first.register(t)
	second.register(t)
	assert.Equal(t, 1, first.srv.Registered()["alice"], "one registration for both tabs")

	askBotToCall(t, first.srv, "alice", "")
	first.page.WaitUntil(t, `!document.getElementById('incoming').hidden`, 15*time.Second)
	second.page.WaitUntil(t, `!document.getElementById('sessionMessage').hidden`, 10*time.Second)
	assert.Equal(t, "Incoming call for alice in another tab.", second.text(t, "sessionMessage"))
	assert.True(t, second.hidden(t, "incoming"), "no banner in the tab without the call")
	first.page.Click(t, "#answer")
	first.waitText(t, "callState", "connected", 15*time.Second)
	second.page.WaitUntil(t, `document.getElementById('sessionMessage').hidden`, 10*time.Second)

	first.page.Close()
	second.page.WaitUntil(t, `document.getElementById('sessionMessage').textContent.includes('takes over')`, 20*time.Second)
	require.Eventually(t, func() bool { return first.srv.Registered()["alice"] == 1 }, 20*time.Second, 100*time.Millisecond,
		"the second tab registers")
	askBotToCall(t, first.srv, "alice", "")
	second.page.WaitUntil(t, `!document.getElementById('incoming').hidden`, 15*time.Second)
	second.page.Click(t, "#answer")
	second.waitText(t, "callState", "connected", 15*time.Second)
	second.page.Click(t, "#hangup")
	second.page.WaitUntil(t, `document.getElementById('callPanel').hidden`, 10*time.Second)
	assert.Empty(t, second.page.Exceptions())
}
