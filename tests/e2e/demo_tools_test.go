package e2e

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// diagRow is the JS expression for the diagnostics table row of key.
func diagRow(key string) string {
	return fmt.Sprintf(`[...document.querySelectorAll('#diagTable tr')].find((r) => r.cells[0].textContent === %q)`, key)
}

// The demo's device pickers and diagnostics panel, through its controls:
// the pickers list the (fake) devices and switching the microphone is
// confirmed; diagnostics report the browser, a moving mic level with the
// user's answer, and a network test that reaches the server's WebSocket;
// the SDK's logs download.
func TestDemoDevicesAndDiagnostics(t *testing.T) {
	f := newDemoFixture(t, "")
	f.register(t)

	f.page.WaitUntil(t, `document.getElementById('micSelect').options.length > 0`, 10*time.Second)
	f.page.Eval(t, `(() => {
		const s = document.getElementById('micSelect');
		s.selectedIndex = s.options.length - 1;
		s.dispatchEvent(new Event('change'));
	})()`, nil)
	f.waitText(t, "deviceStatus", "Microphone switched.", 10*time.Second)

	f.page.Click(t, "#diagInit")
	f.page.WaitUntil(t, diagRow("browserVersion"), 10*time.Second)
	assert.Contains(t, f.text(t, "diagTable"), "Chrome/")

	f.page.Click(t, "#micTest")
	f.page.WaitUntil(t, diagRow("mic")+` && Number(`+diagRow("mic")+`.cells[1].textContent) > 0`, 10*time.Second)
	f.page.Click(t, "#micTest-yes")
	f.waitText(t, "micTest", "Mic test", 5*time.Second)

	f.page.Click(t, "#networkTest")
	f.page.WaitUntil(t, diagRow("wss")+` && `+diagRow("wss")+`.cells[1].textContent === 'connected'`, 15*time.Second)
	f.page.WaitUntil(t, diagRow("userReg")+` && `+diagRow("userReg")+`.cells[1].textContent === 'registered'`, 15*time.Second)
	assert.Contains(t, f.text(t, "diagTable"), "/ws", "the probe went to the server's WebSocket")
	f.page.Click(t, "#networkTest")
	f.page.WaitUntil(t, `document.getElementById('diagReport').textContent.length > 0`, 10*time.Second)

	f.page.Click(t, "#downloadLogs")
	assert.Contains(t, f.text(t, "eventLog"), "downloadLogs")
	assert.Empty(t, f.page.Exceptions())
}
