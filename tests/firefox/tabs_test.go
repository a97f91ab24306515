package firefox

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/webphone/exotelsdk/tests/farend"
	"github.com/webphone/exotelsdk/tests/kamailio"
)

// Two Firefox tabs as the same user with SessionListener (BroadcastChannel
// and Web Locks in Firefox): one REGISTER between them, both report
// registered; a call rings in the registered tab and the other hears
// SessionCallback('incoming').
func TestFirefoxTwoTabsOneRegistration(t *testing.T) {
	srv := kamailio.Start(t, kamailio.Options{DropContactsOnDisconnect: true})
	f := &fixture{srv: srv, base: newFixtureBase(t), firefox: Launch(t)}
	acct := jsValue(t, f.account(t, "alice"))
	var pages []*Page
	for i := 0; i < 2; i++ {
		page := f.phone(t, "?quiet")
		page.Eval(t, fmt.Sprintf(`harness.joinTabs('alice', %s, false)`, acct), nil)
		pages = append(pages, page)
	}
	for _, page := range pages {
		waitEvent(t, page, "register:alice", "registered", 30*time.Second)
	}
	var leader, follower *Page
	for _, page := range pages {
		if slices.Contains(events(t, page, "register:alice"), "sent_request") {
			require.Nil(t, leader, "both tabs sent a REGISTER")
			leader = page
		} else {
			follower = page
		}
	}
	require.NotNil(t, leader, "no tab registered")
	contacts, err := srv.Contacts("alice@" + srv.Domain)
	require.NoError(t, err)
	assert.Len(t, contacts, 1, "one registration for both tabs")

	bob := farend.New(t, farend.Config{User: "bob", Domain: srv.Domain, Server: srv.UDPAddr, DisplayName: "Bob"})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	call, err := bob.Dial(ctx, "alice", farend.CallOptions{})
	require.NoError(t, err)
	waitEvent(t, leader, "call:alice", "incoming", 30*time.Second)
	waitEvent(t, follower, "session:alice", "incoming", 30*time.Second)
	leader.Eval(t, `harness.clients.alice.getCall().Hangup()`, nil)
	_, err = call.WaitEnded(ctx)
	require.NoError(t, err)
	for _, page := range pages {
		assert.Empty(t, page.Exceptions())
	}
}
