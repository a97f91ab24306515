package phone

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func validAccount() AccountInfo {
	return AccountInfo{UserName: "alice", AuthUser: "alice", Secret: "pw", SipDomain: "example.test",
		Domain: "sip.example.test:443", Port: "443", Security: "wss"}
}

func TestWebSocketURLIsBuiltLikeExotel(t *testing.T) {
	urls, err := validAccount().WebSocketURLs()
	require.NoError(t, err)
	assert.Equal(t, []string{"wss://sip.example.test:443/wss"}, urls)

	a := validAccount()
	a.Domain, a.Port, a.Security, a.Endpoint = "127.0.0.1", "5066", "ws", "/ws"
	urls, err = a.WebSocketURLs()
	require.NoError(t, err)
	assert.Equal(t, []string{"ws://127.0.0.1:5066/ws"}, urls)

	a.WSURL = "ws://override:1/x"
	urls, _ = a.WebSocketURLs()
	assert.Equal(t, []string{"ws://override:1/x"}, urls)
	a.WSURLs = []string{"ws://a:1/", "ws://b:2/"}
	urls, _ = a.WebSocketURLs()
	assert.Equal(t, []string{"ws://a:1/", "ws://b:2/"}, urls)
}

func TestValidateSaysWhatIsMissing(t *testing.T) {
	cases := map[string]func(*AccountInfo){
		"userName is missing":       func(a *AccountInfo) { a.UserName = "" },
		"sipdomain is missing":      func(a *AccountInfo) { a.SipDomain = " " },
		"domain (the WebSocket":     func(a *AccountInfo) { a.Domain = "" },
		"port is missing":           func(a *AccountInfo) { a.Domain, a.Port = "host", "" },
		"is not a TCP port":         func(a *AccountInfo) { a.Port = "99999"; a.Domain = "h" },
		"security \"http\"":         func(a *AccountInfo) { a.Security = "http" },
		"is not a ws:// or wss://":  func(a *AccountInfo) { a.WSURL = "http://x/" },
		"cannot be a SIP user name": func(a *AccountInfo) { a.AuthUser = "a b" },
	}
	for want, mutate := range cases {
		a := validAccount()
		mutate(&a)
		err := a.Validate()
		require.Error(t, err, want)
		assert.ErrorIs(t, err, ErrInvalidAccount)
		assert.Contains(t, err.Error(), want)
	}
	assert.NoError(t, validAccount().Validate())
}

func TestAccountStringHidesTheSecret(t *testing.T) {
	a := validAccount()
	a.Secret = "hunter2"
	assert.NotContains(t, a.String(), "hunter2")
	assert.Contains(t, a.String(), "secret=(set)")
}
