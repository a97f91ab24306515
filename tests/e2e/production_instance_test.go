package e2e

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/webphone/exotelsdk/tests/browser"
	"github.com/webphone/exotelsdk/tests/kamailio"
)

// A page that registers on load is reloaded three times: it registers as
// the same +sip.instance every time (kept in localStorage), so Kamailio
// replaces the binding instead of piling up stale contacts it would fork
// calls to for the next 300 s.
func TestReloadKeepsOneBinding(t *testing.T) {
	srv := kamailio.Start(t, kamailio.Options{})
	acct := account(t, srv, "alice")
	page := browser.Launch(t, browser.Options{}).
		Open(t, browser.Serve(t)+"/tests/pages/phone.html?quiet&autoregister="+url.QueryEscape(js(t, acct)))
	var instances []string
	for load := 0; load < 4; load++ {
		if load > 0 {
			_ = page.EvalErr(`setTimeout(() => location.reload(), 0)`, nil)
			page.WaitUntil(t, `window.harness && !harness.reloadMark`, 10*time.Second)
		}
		page.WaitUntil(t, `window.harness && harness.of('register:auto').includes('registered')`, 15*time.Second)
		_ = page.EvalErr(`harness.reloadMark = true`, nil)
		regs, err := srv.Registrations("alice")
		require.NoError(t, err)
		require.Len(t, regs, 1, "after load %d Kamailio holds one binding: %+v", load+1, regs)
		instances = append(instances, regs[0].Instance)
	}
	require.NotEmpty(t, instances[0])
	assert.True(t, strings.HasPrefix(strings.Trim(instances[0], "<>\""), "urn:uuid:"), instances[0])
	for _, in := range instances {
		assert.Equal(t, instances[0], in, "the same instance on every load")
	}
}
