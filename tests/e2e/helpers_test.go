package e2e

import (
	"encoding/json"
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/webphone/exotelsdk/tests/browser"
	"github.com/webphone/exotelsdk/tests/kamailio"
)

// account is the sipAccountInfo an app would pass for user on srv, written the
// way Exotel's guide writes it (domain "host:port", port, security, endpoint).
func account(t testing.TB, srv *kamailio.Server, user string) map[string]string {
	t.Helper()
	u, err := url.Parse(srv.WSURL)
	require.NoError(t, err)
	return map[string]string{
		"userName": user, "authUser": user, "secret": kamailio.Password(user),
		"sipdomain": srv.Domain, "domain": u.Host, "port": u.Port(),
		"security": "ws", "endpoint": "ws", "displayname": "User " + user,
	}
}

func js(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

// events returns the first arguments of the callbacks of one kind, e.g. "register:alice".
func events(t testing.TB, page *browser.Page, kind string) []string {
	t.Helper()
	var out []string
	page.Eval(t, fmt.Sprintf(`harness.of(%q).map(String)`, kind), &out)
	return out
}

// waitEvent waits until the callback kind has reported state.
func waitEvent(t testing.TB, page *browser.Page, kind, state string, timeout time.Duration) {
	t.Helper()
	page.WaitUntil(t, fmt.Sprintf(`harness.of(%q).includes(%q)`, kind, state), timeout)
}

func status(t testing.TB, page *browser.Page, client string) string {
	t.Helper()
	var s string
	page.Eval(t, fmt.Sprintf(`harness.status(%q)`, client), &s)
	return s
}
