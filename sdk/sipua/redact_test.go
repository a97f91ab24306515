package sipua

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestRedactHidesDigestResponses(t *testing.T) {
	in := "REGISTER sip:x SIP/2.0\r\n" +
		"Authorization: Digest username=\"alice\", response=\"0123456789abcdef\", nonce=\"n\"\r\n" +
		"Proxy-Authorization: Digest username=\"alice\", response=fedcba, realm=\"r\"\r\n" +
		"X-Note: response=visible\r\n\r\n"
	out := Redact(in)
	assert.NotContains(t, out, "0123456789abcdef")
	assert.NotContains(t, out, "fedcba")
	assert.Contains(t, out, `response="<redacted>", nonce="n"`)
	assert.Contains(t, out, `response="<redacted>", realm="r"`)
	assert.Contains(t, out, "X-Note: response=visible")
	assert.Equal(t, "no secrets here", Redact("no secrets here"))
}
