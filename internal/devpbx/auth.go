package devpbx

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/icholy/digest"
)

// nonceLifetime is how long a challenge's nonce is accepted. Past it the
// client is challenged again with stale=true and retries without asking
// the user (RFC 2617 §3.2.1).
const nonceLifetime = 5 * time.Minute

// Users answers "what is this user's password" for digest authentication.
// The development server knows a fixed list (alice, bob, carol by default)
// and, unless Strict, any other name whose password is "pw-" + name, so
// that several demo tabs can each register a user of their own without
// configuration.
type Users struct {
	mu       sync.RWMutex
	fixed    map[string]string
	strict   bool
	reserved map[string]bool // names nobody may register (the bot's)
}

// NewUsers makes the user list. fixed maps user to password; when strict,
// only those users exist.
func NewUsers(fixed map[string]string, strict bool) *Users {
	u := &Users{fixed: map[string]string{}, strict: strict, reserved: map[string]bool{}}
	for name, pw := range fixed {
		u.fixed[name] = pw
	}
	return u
}

// DefaultUsers are the accounts the demo form offers.
func DefaultUsers() map[string]string {
	return map[string]string{"alice": "pw-alice", "bob": "pw-bob", "carol": "pw-carol"}
}

// Password returns the user's password and whether the user exists.
func (u *Users) Password(user string) (string, bool) {
	u.mu.RLock()
	defer u.mu.RUnlock()
	if user == "" || u.reserved[user] {
		return "", false
	}
	if pw, ok := u.fixed[user]; ok {
		return pw, true
	}
	if u.strict || !validUserName(user) {
		return "", false
	}
	return "pw-" + user, true
}

// Fixed reports whether user is one of the configured accounts.
func (u *Users) Fixed(user string) bool {
	u.mu.RLock()
	defer u.mu.RUnlock()
	_, ok := u.fixed[user]
	return ok
}

// Reserve keeps a name for the server itself (the call bot): nobody can
// authenticate as it.
func (u *Users) Reserve(name string) {
	u.mu.Lock()
	u.reserved[name] = true
	u.mu.Unlock()
}

// validUserName limits open registration to plain names, so a user part
// cannot smuggle URI syntax into the registrar.
func validUserName(s string) bool {
	if len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("._-+", r)) {
			return false
		}
	}
	return s != ""
}

// authenticator issues digest challenges (MD5, qop=auth) and checks the
// answers. Nonces carry their issue time and an HMAC under a key made at
// start, so no state is kept per challenge.
type authenticator struct {
	realm string
	users *Users
	key   []byte
	now   func() time.Time
}

func newAuthenticator(realm string, users *Users) *authenticator {
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	return &authenticator{realm: realm, users: users, key: key, now: time.Now}
}

// Why verify refused credentials, when the caller must tell them apart:
// errStale means they were right but the nonce expired (challenge again
// with stale=true); errUnknownUser means no such account (403).
var (
	errStale       = errors.New("stale nonce")
	errUnknownUser = errors.New("unknown user")
)

// challenge builds the WWW-Authenticate (or, for a proxy, Proxy-Authenticate) value.
func (a *authenticator) challenge(stale bool) string {
	c := &digest.Challenge{Realm: a.realm, Nonce: a.nonce(), Algorithm: "MD5", QOP: []string{"auth"}, Stale: stale}
	return c.String()
}

func (a *authenticator) nonce() string {
	b := make([]byte, 8, 8+sha256.Size)
	binary.BigEndian.PutUint64(b, uint64(a.now().UnixNano()))
	m := hmac.New(sha256.New, a.key)
	m.Write(b)
	return base64.RawURLEncoding.EncodeToString(m.Sum(b))
}

// nonceFresh checks a nonce is ours and not expired.
func (a *authenticator) nonceFresh(n string) (ours, fresh bool) {
	raw, err := base64.RawURLEncoding.DecodeString(n)
	if err != nil || len(raw) != 8+sha256.Size {
		return false, false
	}
	m := hmac.New(sha256.New, a.key)
	m.Write(raw[:8])
	if !hmac.Equal(m.Sum(nil), raw[8:]) {
		return false, false
	}
	issued := time.Unix(0, int64(binary.BigEndian.Uint64(raw[:8])))
	return true, a.now().Sub(issued) < nonceLifetime
}

// verify checks the Authorization (header "Authorization") or
// Proxy-Authorization value of req and returns the authenticated user.
func (a *authenticator) verify(req *sip.Request, header string) (string, error) {
	h := req.GetHeader(header)
	if h == nil {
		return "", errors.New("no credentials")
	}
	cred, err := digest.ParseCredentials(h.Value())
	if err != nil {
		return "", fmt.Errorf("bad credentials: %w", err)
	}
	if cred.Realm != a.realm {
		return "", fmt.Errorf("credentials for realm %q", cred.Realm)
	}
	if alg := strings.ToUpper(cred.Algorithm); alg != "" && alg != "MD5" {
		return "", fmt.Errorf("algorithm %q not offered", cred.Algorithm)
	}
	pw, ok := a.users.Password(cred.Username)
	if !ok {
		return "", fmt.Errorf("%w %q", errUnknownUser, cred.Username)
	}
	ours, fresh := a.nonceFresh(cred.Nonce)
	if !ours {
		return "", errors.New("nonce not issued here")
	}
	chal := &digest.Challenge{Realm: a.realm, Nonce: cred.Nonce, Algorithm: cred.Algorithm}
	if cred.QOP != "" {
		chal.QOP = []string{cred.QOP}
	}
	want, err := digest.Digest(chal, digest.Options{
		Method: string(req.Method), URI: cred.URI, Username: cred.Username, Password: pw,
		Cnonce: cred.Cnonce, Count: cred.Nc,
	})
	if err != nil {
		return "", err
	}
	if subtle.ConstantTimeCompare([]byte(want.Response), []byte(cred.Response)) != 1 {
		return "", fmt.Errorf("wrong password for %q", cred.Username)
	}
	if !fresh {
		return cred.Username, errStale
	}
	return cred.Username, nil
}
