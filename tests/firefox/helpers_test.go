package firefox

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

// fixture is Kamailio, the repository served over loopback HTTP and one
// Firefox, for a test.
type fixture struct {
	srv     *kamailio.Server
	base    string
	firefox *Browser
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	srv := kamailio.Start(t, kamailio.Options{})
	return &fixture{srv: srv, base: newFixtureBase(t), firefox: Launch(t)}
}

// newFixtureBase serves the repository (the test pages and dist/).
func newFixtureBase(t *testing.T) string { return browser.Serve(t) }

// phone opens the SDK test page (tests/pages/phone.html) in a new tab.
func (f *fixture) phone(t *testing.T, query string) *Page {
	t.Helper()
	return f.firefox.Open(t, f.base+"/tests/pages/phone.html"+query)
}

// account is the sipAccountInfo for user on the fixture's Kamailio, as
// Exotel's guide writes it.
func (f *fixture) account(t *testing.T, user string) map[string]string {
	t.Helper()
	u, err := url.Parse(f.srv.WSURL)
	require.NoError(t, err)
	return map[string]string{
		"userName": user, "authUser": user, "secret": kamailio.Password(user),
		"sipdomain": f.srv.Domain, "domain": u.Host, "port": u.Port(),
		"security": "ws", "endpoint": "ws", "displayname": "User " + user,
	}
}

// register creates client user in page and registers it.
func (f *fixture) register(t *testing.T, page *Page, user string) {
	t.Helper()
	page.Eval(t, fmt.Sprintf(`harness.create(%q, %s).then(() => harness.clients[%q].DoRegister())`,
		user, jsValue(t, f.account(t, user)), user), nil)
	waitEvent(t, page, "register:"+user, "registered", 20*time.Second)
}

func jsValue(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

// events lists the first arguments of the callbacks of one kind, e.g.
// "register:alice" (the event type for "call:…").
func events(t testing.TB, page *Page, kind string) []string {
	t.Helper()
	var out []string
	page.Eval(t, fmt.Sprintf(`harness.of(%q).map(String)`, kind), &out)
	return out
}

// waitEvent waits until the callback kind has reported state.
func waitEvent(t testing.TB, page *Page, kind, state string, timeout time.Duration) {
	t.Helper()
	page.WaitUntil(t, fmt.Sprintf(`harness.of(%q).includes(%q)`, kind, state), timeout)
}

func status(t testing.TB, page *Page, client string) string {
	t.Helper()
	var s string
	page.Eval(t, fmt.Sprintf(`harness.status(%q)`, client), &s)
	return s
}
