package e2e

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// The demo's Conference button: with maxCalls 2, call the echo, then the
// bot (the echo is held), and the Calls box offers Conference; pressed, both
// calls are in conference, and End conference keeps the bot (the newest)
// connected and holds the echo.
func TestDemoConferenceButtons(t *testing.T) {
	f := newDemoFixture(t, "")
	f.page.WaitUntil(t, `!document.getElementById('register').disabled`, 60*time.Second)
	f.page.Eval(t, `document.getElementById('maxCalls').value = '2'`, nil)
	f.register(t)
	f.page.Click(t, "#callEcho")
	f.waitText(t, "callState", "connected", 15*time.Second)
	assert.True(t, f.hidden(t, "callsBox"), "no Calls box for one call")
	f.page.Click(t, "#callBot")
	f.page.WaitUntil(t, `demo.client.getCalls().length === 2 && demo.client.getCalls().every(c => c.callState === 'connected')`, 15*time.Second)
	f.page.WaitUntil(t, `!document.getElementById('callsBox').hidden && !document.getElementById('conference').hidden`, 10*time.Second)
	assert.True(t, f.hidden(t, "endConference"))

	f.page.Click(t, "#conference")
	f.page.WaitUntil(t, `demo.client.getCalls().every(c => c.inConference) && !document.getElementById('endConference').hidden`, 15*time.Second)
	var states []string
	f.page.Eval(t, `[...document.querySelectorAll('#callList li .muted')].map(e => e.textContent)`, &states)
	assert.Equal(t, []string{"in conference", "in conference"}, states)

	f.page.Click(t, "#endConference")
	f.page.WaitUntil(t, `demo.client.getCalls().every(c => !c.inConference) && document.getElementById('endConference').hidden`, 15*time.Second)
	var held []bool
	f.page.Eval(t, `demo.client.getCalls().map(c => c.isOnHold)`, &held)
	assert.Equal(t, []bool{true, false}, held, "the echo (older) is held, the bot stays")
	assert.Empty(t, f.page.Exceptions())
}
