package sipua

import (
	"crypto/md5"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"strings"
)

// Challenge is one parsed WWW-Authenticate or Proxy-Authenticate header (RFC 3261
// §22, RFC 7616, RFC 8760).
type Challenge struct {
	Realm     string
	Nonce     string
	Opaque    string
	Algorithm string // "MD5" (also when absent), "MD5-sess", "SHA-256", "SHA-256-sess"
	QOP       []string
	Stale     bool
}

// ParseChallenge reads the value of a Digest challenge header.
func ParseChallenge(value string) (Challenge, error) {
	v := strings.TrimSpace(value)
	if len(v) < 7 || !strings.EqualFold(v[:6], "digest") || (v[6] != ' ' && v[6] != '\t') {
		return Challenge{}, errors.New("not a Digest challenge")
	}
	params, err := parseAuthParams(v[7:])
	if err != nil {
		return Challenge{}, err
	}
	c := Challenge{
		Realm:     params["realm"],
		Nonce:     params["nonce"],
		Opaque:    params["opaque"],
		Algorithm: params["algorithm"],
		Stale:     strings.EqualFold(params["stale"], "true"),
	}
	if c.Algorithm == "" {
		c.Algorithm = "MD5"
	}
	for _, q := range strings.Split(params["qop"], ",") {
		if q = strings.TrimSpace(q); q != "" {
			c.QOP = append(c.QOP, strings.ToLower(q))
		}
	}
	if c.Nonce == "" {
		return Challenge{}, errors.New("digest challenge without nonce")
	}
	if _, err := digestHash(c.Algorithm); err != nil {
		return Challenge{}, err
	}
	return c, nil
}

// parseAuthParams splits `k=v, k="quoted, v"` into a map with lower-case keys.
func parseAuthParams(s string) (map[string]string, error) {
	out := map[string]string{}
	for {
		s = strings.TrimLeft(s, " \t,")
		if s == "" {
			return out, nil
		}
		eq := strings.IndexByte(s, '=')
		if eq <= 0 {
			return nil, fmt.Errorf("malformed auth parameter %q", s)
		}
		key := strings.ToLower(strings.TrimSpace(s[:eq]))
		s = strings.TrimLeft(s[eq+1:], " \t")
		var val string
		if strings.HasPrefix(s, `"`) {
			var sb strings.Builder
			i := 1
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) {
					i++
				}
				sb.WriteByte(s[i])
			}
			if i >= len(s) {
				return nil, fmt.Errorf("unterminated quoted value for %q", key)
			}
			val, s = sb.String(), s[i+1:]
		} else {
			end := strings.IndexByte(s, ',')
			if end < 0 {
				end = len(s)
			}
			val, s = strings.TrimSpace(s[:end]), s[end:]
		}
		out[key] = val
	}
}

// digestHash returns the hash function an algorithm name stands for.
func digestHash(algorithm string) (func() hash.Hash, error) {
	switch strings.ToUpper(strings.TrimSuffix(strings.ToUpper(algorithm), "-SESS")) {
	case "MD5":
		return md5.New, nil
	case "SHA-256":
		return sha256.New, nil
	}
	return nil, fmt.Errorf("unsupported digest algorithm %q", algorithm)
}

// algorithmStrength ranks algorithms so that, offered several challenges, the
// strongest is answered (RFC 8760 §2.4).
func algorithmStrength(algorithm string) int {
	if strings.HasPrefix(strings.ToUpper(algorithm), "SHA-256") {
		return 2
	}
	return 1
}

// Credentials is what the user gave to authenticate with.
type Credentials struct {
	Username string
	Password string
}

// DigestInput is everything one Authorization header is computed from.
type DigestInput struct {
	Challenge Challenge
	Creds     Credentials
	Method    string
	URI       string
	NC        uint32 // nonce count, starting at 1 for each new nonce
	CNonce    string // client nonce; random when empty
}

// Authorization computes the value of an Authorization or Proxy-Authorization
// header answering the challenge. qop=auth is used whenever the server offers it.
func Authorization(in DigestInput) (string, error) {
	newHash, err := digestHash(in.Challenge.Algorithm)
	if err != nil {
		return "", err
	}
	h := func(s string) string {
		x := newHash()
		x.Write([]byte(s))
		return hex.EncodeToString(x.Sum(nil))
	}
	c := in.Challenge
	useQOP := false
	for _, q := range c.QOP {
		if q == "auth" {
			useQOP = true
		}
	}
	if len(c.QOP) > 0 && !useQOP {
		return "", fmt.Errorf("server requires unsupported qop %v", c.QOP)
	}
	cnonce := in.CNonce
	if cnonce == "" && (useQOP || strings.HasSuffix(strings.ToLower(c.Algorithm), "-sess")) {
		cnonce = randomHex(16)
	}
	ha1 := h(in.Creds.Username + ":" + c.Realm + ":" + in.Creds.Password)
	if strings.HasSuffix(strings.ToLower(c.Algorithm), "-sess") {
		ha1 = h(ha1 + ":" + c.Nonce + ":" + cnonce)
	}
	ha2 := h(in.Method + ":" + in.URI)
	nc := fmt.Sprintf("%08x", in.NC)
	var response string
	if useQOP {
		response = h(ha1 + ":" + c.Nonce + ":" + nc + ":" + cnonce + ":auth:" + ha2)
	} else {
		response = h(ha1 + ":" + c.Nonce + ":" + ha2)
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, `Digest username="%s", realm="%s", nonce="%s", uri="%s", response="%s", algorithm=%s`,
		quote(in.Creds.Username), quote(c.Realm), quote(c.Nonce), quote(in.URI), response, c.Algorithm)
	if c.Opaque != "" {
		fmt.Fprintf(&sb, `, opaque="%s"`, quote(c.Opaque))
	}
	if useQOP {
		fmt.Fprintf(&sb, `, qop=auth, nc=%s, cnonce="%s"`, nc, quote(cnonce))
	}
	return sb.String(), nil
}

func quote(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
