package sipua

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func responseParam(t *testing.T, header string) string {
	t.Helper()
	params, err := parseAuthParams(strings.TrimPrefix(header, "Digest "))
	require.NoError(t, err)
	return params["response"]
}

// RFC 2617 §3.5: the classic MD5 example with qop=auth.
func TestDigestRFC2617MD5(t *testing.T) {
	c, err := ParseChallenge(`Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"`)
	require.NoError(t, err)
	h, err := Authorization(DigestInput{
		Challenge: c, Creds: Credentials{"Mufasa", "Circle Of Life"},
		Method: "GET", URI: "/dir/index.html", NC: 1, CNonce: "0a4f113b",
	})
	require.NoError(t, err)
	assert.Equal(t, "6629fae49393a05397450978507c4ef1", responseParam(t, h))
	assert.Contains(t, h, "qop=auth, nc=00000001, cnonce=\"0a4f113b\"")
	assert.Contains(t, h, `opaque="5ccc069c403ebaf9f0171e9517f40e41"`)
}

// RFC 7616 §3.9.1: the same request answered with SHA-256 and with MD5.
func TestDigestRFC7616(t *testing.T) {
	const nonce = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v"
	const cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"
	for alg, want := range map[string]string{
		"SHA-256": "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1",
		"MD5":     "8ca523f5e9506fed4657c9700eebdbec",
	} {
		c, err := ParseChallenge(`Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=` + alg +
			`, nonce="` + nonce + `", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"`)
		require.NoError(t, err)
		h, err := Authorization(DigestInput{
			Challenge: c, Creds: Credentials{"Mufasa", "Circle of Life"},
			Method: "GET", URI: "/dir/index.html", NC: 1, CNonce: cnonce,
		})
		require.NoError(t, err)
		assert.Equal(t, want, responseParam(t, h), alg)
		assert.Contains(t, h, "algorithm="+alg)
	}
}

// Without qop the RFC 2069 form is used: no nc, no cnonce.
func TestDigestWithoutQOP(t *testing.T) {
	c, err := ParseChallenge(`Digest realm="r", nonce="n"`)
	require.NoError(t, err)
	h, err := Authorization(DigestInput{Challenge: c, Creds: Credentials{"u", "p"}, Method: "REGISTER", URI: "sip:r", NC: 1})
	require.NoError(t, err)
	assert.NotContains(t, h, "nc=")
	assert.NotContains(t, h, "cnonce")
	// MD5(MD5(u:r:p):n:MD5(REGISTER:sip:r)) computed independently.
	assert.Equal(t, md5hex(md5hex("u:r:p")+":n:"+md5hex("REGISTER:sip:r")), responseParam(t, h))
}

func TestParseChallengeRejects(t *testing.T) {
	for _, bad := range []string{
		``, `Basic realm="x"`, `Digest realm="x"`, `Digest realm="x", nonce="unterminated`,
		`Digest realm="x", nonce="n", algorithm=SHA-512`, `Digest garbage`,
	} {
		_, err := ParseChallenge(bad)
		assert.Error(t, err, bad)
	}
	c, err := ParseChallenge(`Digest realm="x", nonce="n", stale=TRUE, algorithm=sha-256`)
	require.NoError(t, err)
	assert.True(t, c.Stale)
	assert.Equal(t, 2, algorithmStrength(c.Algorithm))
}

func TestAuthorizationRejectsAuthIntOnly(t *testing.T) {
	c, err := ParseChallenge(`Digest realm="x", nonce="n", qop="auth-int"`)
	require.NoError(t, err)
	_, err = Authorization(DigestInput{Challenge: c, Creds: Credentials{"u", "p"}, Method: "REGISTER", URI: "sip:x", NC: 1})
	assert.Error(t, err)
}
