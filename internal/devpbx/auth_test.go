package devpbx

import (
	"errors"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/icholy/digest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// signed returns a copy of req carrying credentials for user/pw that
// answer challenge (a WWW- or Proxy-Authenticate value) in header.
func signed(t *testing.T, req *sip.Request, header, challenge, user, pw string) *sip.Request {
	t.Helper()
	chal, err := digest.ParseChallenge(challenge)
	require.NoError(t, err)
	cred, err := digest.Digest(chal, digest.Options{Method: string(req.Method), URI: req.Recipient.String(), Username: user, Password: pw})
	require.NoError(t, err)
	out := req.Clone()
	out.RemoveHeader(header)
	out.AppendHeader(sip.NewHeader(header, cred.String()))
	return out
}

func testRequest(method sip.RequestMethod, user string) *sip.Request {
	req := sip.NewRequest(method, sip.Uri{Scheme: "sip", Host: "pbx.test"})
	aor := sip.Uri{Scheme: "sip", User: user, Host: "pbx.test"}
	from := &sip.FromHeader{Address: aor, Params: sip.NewParams()}
	from.Params.Add("tag", "t1")
	req.AppendHeader(from)
	req.AppendHeader(&sip.ToHeader{Address: aor})
	callID := sip.CallIDHeader("call-1")
	req.AppendHeader(&callID)
	req.AppendHeader(&sip.CSeqHeader{SeqNo: 1, MethodName: method})
	return req
}

func TestDigestVerify(t *testing.T) {
	users := NewUsers(DefaultUsers(), false)
	users.Reserve("bot")
	a := newAuthenticator("pbx.test", users)
	req := testRequest(sip.REGISTER, "alice")

	user, err := a.verify(signed(t, req, "Authorization", a.challenge(false), "alice", "pw-alice"), "Authorization")
	require.NoError(t, err)
	assert.Equal(t, "alice", user)

	_, err = a.verify(signed(t, req, "Authorization", a.challenge(false), "alice", "wrong"), "Authorization")
	assert.ErrorContains(t, err, "wrong password")

	_, err = a.verify(req, "Authorization")
	assert.ErrorContains(t, err, "no credentials")

	// Open registration: any plain name with "pw-" + name.
	user, err = a.verify(signed(t, req, "Authorization", a.challenge(false), "dave", "pw-dave"), "Authorization")
	require.NoError(t, err)
	assert.Equal(t, "dave", user)

	// The bot's names are nobody's; names with URI syntax neither.
	for _, name := range []string{"bot", "a@b", "x;y"} {
		_, err = a.verify(signed(t, req, "Authorization", a.challenge(false), name, "pw-"+name), "Authorization")
		assert.True(t, errors.Is(err, errUnknownUser), name)
	}

	// A nonce from another server (another key) is refused.
	other := newAuthenticator("pbx.test", users)
	_, err = a.verify(signed(t, req, "Authorization", other.challenge(false), "alice", "pw-alice"), "Authorization")
	assert.ErrorContains(t, err, "nonce not issued here")

	// An old nonce with the right password is stale: challenge again.
	old := a.challenge(false)
	a.now = func() time.Time { return time.Now().Add(nonceLifetime + time.Second) }
	user, err = a.verify(signed(t, req, "Authorization", old, "alice", "pw-alice"), "Authorization")
	assert.ErrorIs(t, err, errStale)
	assert.Equal(t, "alice", user)
}

func TestStrictUsers(t *testing.T) {
	users := NewUsers(map[string]string{"zoe": "s3cret"}, true)
	pw, ok := users.Password("zoe")
	assert.True(t, ok)
	assert.Equal(t, "s3cret", pw)
	_, ok = users.Password("dave")
	assert.False(t, ok, "strict: only the configured accounts")
	assert.True(t, users.Fixed("zoe"))
}
