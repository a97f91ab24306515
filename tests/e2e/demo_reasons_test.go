package e2e

import (
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/webphone/exotelsdk/tests/browser"
)

// A registration that fails says why, and the two common causes read
// differently: a wrong password is a refusal by the server, a server that
// is not there is "cannot reach" with the URL tried. Fixing the form and
// registering again works.
func TestDemoRegistrationFailuresSayWhy(t *testing.T) {
	f := newDemoFixture(t, "")
	f.page.WaitUntil(t, `!document.getElementById('register').disabled`, 60*time.Second)

	f.page.Eval(t, `document.getElementById('secret').value = 'not-the-password'`, nil)
	f.page.Click(t, "#register")
	f.page.WaitUntil(t, `document.getElementById('regState').textContent.startsWith('failed:')`, 20*time.Second)
	state := f.text(t, "regState")
	assert.Contains(t, state, "refused")
	assert.Contains(t, state, "password")
	assert.False(t, f.hidden(t, "regProblem"), "the explanation is shown")
	assert.Equal(t, "failed", attr(t, f, "regBadge", "data-state"))

	// A port nothing listens on.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	f.page.Eval(t, fmt.Sprintf(`(() => {
		document.getElementById('secret').value = 'pw-alice';
		document.getElementById('domain').value = '127.0.0.1:%d';
		document.getElementById('port').value = '%d';
	})()`, port, port), nil)
	f.page.Click(t, "#register")
	f.page.WaitUntil(t, `document.getElementById('regState').textContent.startsWith('failed:')`, 60*time.Second)
	assert.Equal(t, "failed: cannot reach the server", f.text(t, "regState"))
	assert.Contains(t, f.text(t, "regProblem"), fmt.Sprintf("ws://127.0.0.1:%d/ws", port))
	assert.NotContains(t, f.text(t, "regProblem"), "password")

	addr := strings.TrimPrefix(strings.TrimSuffix(f.srv.URL(), "/"), "http://")
	_, srvPort, _ := net.SplitHostPort(addr)
	f.page.Eval(t, fmt.Sprintf(`(() => {
		document.getElementById('domain').value = %q;
		document.getElementById('port').value = %q;
	})()`, addr, srvPort), nil)
	f.register(t)
	assert.True(t, f.hidden(t, "regProblem"), "the problem goes once registered")
	assert.Empty(t, f.page.Exceptions())
}

// A call that cannot be made says why (a user the server never heard of),
// and one ended by the other tab says so, instead of a bare "terminated".
func TestDemoCallEndSaysWhy(t *testing.T) {
	f := newDemoFixture(t, "?user=alice")
	f.register(t)
	f.page.Eval(t, `document.getElementById('dialTo').value = 'nobody-here'`, nil)
	f.page.Click(t, "#dial")
	f.page.WaitUntil(t, `!document.getElementById('callEnd').hidden`, 15*time.Second)
	assert.Contains(t, f.text(t, "callEnd"), "no such number or user")
	assert.Contains(t, f.text(t, "callEnd"), "404")

	b := browser.Launch(t, browser.Options{FakeAudioFile: browser.ToneWAV(t, 600, 0.5, 20)})
	bob := &demoFixture{srv: f.srv, page: b.Open(t, f.srv.URL()+"?user=bob")}
	bob.register(t)
	bob.page.Eval(t, `document.getElementById('dialTo').value = 'alice'`, nil)
	bob.page.Click(t, "#dial")
	f.page.WaitUntil(t, `!document.getElementById('incoming').hidden`, 15*time.Second)
	f.page.Click(t, "#answer")
	bob.waitText(t, "callState", "connected", 15*time.Second)
	bob.page.Click(t, "#hangup")
	f.page.WaitUntil(t, `document.getElementById('callPanel').hidden`, 10*time.Second)
	f.waitText(t, "callEnd", "Call with Bob ended: the other side hung up.", 5*time.Second)
	bob.waitText(t, "callEnd", "Call with alice ended: you hung up.", 5*time.Second) // the number bob dialled: no display name comes back in SIP
	assert.Empty(t, f.page.Exceptions())
	assert.Empty(t, bob.page.Exceptions())
}

// attr is an attribute of the element with that id.
func attr(t *testing.T, f *demoFixture, id, name string) string {
	t.Helper()
	var s string
	f.page.Eval(t, fmt.Sprintf(`document.getElementById(%q).getAttribute(%q)`, id, name), &s)
	return s
}
