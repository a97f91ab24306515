package devpbx

import (
	"log/slog"
	"strconv"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func newTestRegistrar() *registrar {
	users := NewUsers(DefaultUsers(), false)
	return newRegistrar(users, newAuthenticator("pbx.test", users), slog.New(slog.DiscardHandler))
}

// registerAs runs one REGISTER of user's contact through r, answering the
// challenge with pw, and returns the final response.
func registerAs(t *testing.T, r *registrar, user, pw, contact string, expires int, from flow) *sip.Response {
	t.Helper()
	req := testRequest(sip.REGISTER, user)
	var c sip.Uri
	require.NoError(t, sip.ParseUri(contact, &c))
	req.AppendHeader(&sip.ContactHeader{Address: c})
	req.AppendHeader(sip.NewHeader("Expires", strconv.Itoa(expires)))
	res := r.register(req, from)
	if res.StatusCode != 401 {
		return res
	}
	return r.register(signed(t, req, "Authorization", res.GetHeader("WWW-Authenticate").Value(), user, pw), from)
}

func TestRegisterBindsContactToFlow(t *testing.T) {
	r := newTestRegistrar()
	tab1 := flow{transport: "WS", addr: "127.0.0.1:40001"}
	res := registerAs(t, r, "alice", "pw-alice", "sip:a1@tab1.invalid;transport=ws", 300, tab1)
	require.Equal(t, 200, res.StatusCode)
	c := res.Contact()
	require.NotNil(t, c)
	assert.Equal(t, "tab1.invalid", c.Address.Host)
	exp, _ := c.Params.Get("expires")
	assert.Equal(t, "300", exp)

	b, err := r.lookup("alice")
	require.NoError(t, err)
	assert.Equal(t, tab1, b.flow)
	f, ok := r.lookupContact(c.Address)
	assert.True(t, ok)
	assert.Equal(t, tab1, f)
	assert.True(t, r.flowHasUser(tab1, "alice"))
	assert.False(t, r.flowHasUser(tab1, "bob"))

	// A second tab registers later: calls go to the newest contact.
	tab2 := flow{transport: "WS", addr: "127.0.0.1:40002"}
	time.Sleep(2 * time.Millisecond)
	require.Equal(t, 200, registerAs(t, r, "alice", "pw-alice", "sip:a2@tab2.invalid;transport=ws", 300, tab2).StatusCode)
	b, _ = r.lookup("alice")
	assert.Equal(t, tab2, b.flow)
	assert.Equal(t, map[string]int{"alice": 2}, r.registered())

	// Its WebSocket closes: its contact goes, the first tab's stays.
	r.dropFlow(tab2)
	b, _ = r.lookup("alice")
	assert.Equal(t, tab1, b.flow)

	// Expires 0 removes the contact; alice is then offline (480), not unknown (404).
	require.Equal(t, 200, registerAs(t, r, "alice", "pw-alice", "sip:a1@tab1.invalid;transport=ws", 0, tab1).StatusCode)
	_, err = r.lookup("alice")
	assert.ErrorIs(t, err, errOffline)
	_, err = r.lookup("zed")
	assert.ErrorIs(t, err, errNotFound)
	_, err = r.lookup("bob")
	assert.ErrorIs(t, err, errOffline, "a configured account never registered is offline")
}

func TestRegisterRefusals(t *testing.T) {
	r := newTestRegistrar()
	ws := flow{transport: "WS", addr: "127.0.0.1:40001"}
	assert.Equal(t, 401, registerAs(t, r, "alice", "nope", "sip:a@x.invalid", 300, ws).StatusCode, "wrong password")
	assert.Equal(t, 403, registerAs(t, r, "a@b", "pw-a@b", "sip:a@x.invalid", 300, ws).StatusCode, "no such user")

	res := registerAs(t, r, "alice", "pw-alice", "sip:a@x.invalid", 10, ws)
	assert.Equal(t, 423, res.StatusCode, "too brief")
	assert.Equal(t, strconv.Itoa(minExpires), res.GetHeader("Min-Expires").Value())

	// bob's credentials for alice's address of record.
	req := testRequest(sip.REGISTER, "alice")
	req.AppendHeader(&sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: "a", Host: "x.invalid"}})
	chal := r.register(req, ws).GetHeader("WWW-Authenticate").Value()
	assert.Equal(t, 403, r.register(signed(t, req, "Authorization", chal, "bob", "pw-bob"), ws).StatusCode)
	assert.Empty(t, r.registered())
}

func TestRegisterExpiryAndWildcard(t *testing.T) {
	r := newTestRegistrar()
	ws := flow{transport: "WS", addr: "127.0.0.1:40001"}
	res := registerAs(t, r, "carol", "pw-carol", "sip:c@x.invalid", 99999, ws)
	require.Equal(t, 200, res.StatusCode)
	exp, _ := res.Contact().Params.Get("expires")
	assert.Equal(t, strconv.Itoa(maxExpires), exp, "capped")

	now := time.Now()
	r.now = func() time.Time { return now.Add(maxExpires * time.Second) }
	_, err := r.lookup("carol")
	assert.ErrorIs(t, err, errOffline, "expired")

	r.now = time.Now
	require.Equal(t, 200, registerAs(t, r, "carol", "pw-carol", "sip:c@x.invalid", 300, ws).StatusCode)
	req := testRequest(sip.REGISTER, "carol")
	req.AppendHeader(sip.NewHeader("Contact", "*"))
	req.AppendHeader(sip.NewHeader("Expires", "0"))
	chal := r.register(req, ws).GetHeader("WWW-Authenticate").Value()
	assert.Equal(t, 200, r.register(signed(t, req, "Authorization", chal, "carol", "pw-carol"), ws).StatusCode)
	_, err = r.lookup("carol")
	assert.ErrorIs(t, err, errOffline, "Contact: * removed every contact")
}

func TestStaticContactsNeverExpire(t *testing.T) {
	r := newTestRegistrar()
	bot := sip.Uri{Scheme: "sip", User: "bot", Host: "127.0.0.1", Port: 5999}
	r.addStatic("bot", bot, flow{transport: "UDP", addr: "127.0.0.1:5999"})
	r.now = func() time.Time { return time.Now().Add(24 * time.Hour) }
	b, err := r.lookup("bot")
	require.NoError(t, err)
	assert.Equal(t, "UDP", b.flow.transport)
	_, ok := r.lookupContact(bot)
	assert.True(t, ok)
}
