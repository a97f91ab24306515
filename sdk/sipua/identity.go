package sipua

import (
	"crypto/rand"
	"fmt"
	"strconv"
	"strings"

	"github.com/emiago/sipgo/sip"
)

// Account is who the UA is: the address of record it registers and calls from,
// and the credentials it answers digest challenges with.
type Account struct {
	AOR         sip.Uri // sip:user@sipdomain
	DisplayName string
	Creds       Credentials
	Registrar   sip.Uri // sip:sipdomain
	Secure      bool    // wss: Via transport WSS instead of WS
	UserAgent   string
}

// Identity is what stays the same for one phone across connections: the random
// Contact (RFC 7118 §5: a browser has no reachable address, so the host is a
// made-up .invalid name and the proxy routes back over the WebSocket) and the
// RFC 5626 instance ID.
type Identity struct {
	ContactUser string
	ContactHost string
	InstanceID  string // "urn:uuid:…"
}

// NewIdentity makes a fresh random identity.
func NewIdentity() Identity {
	return Identity{
		ContactUser: randomToken(8),
		ContactHost: randomToken(12) + ".invalid",
		InstanceID:  "urn:uuid:" + uuid4(),
	}
}

// NewIdentityWithInstance is NewIdentity keeping the RFC 5626 instance ID
// the caller remembered for this account and browser ("urn:uuid:…" or a
// bare UUID), so that a reloaded page replaces its registration instead of
// adding a second binding next to a stale one. An id that is not a UUID is
// ignored (a fresh one is made) and reported as false.
func NewIdentityWithInstance(instance string) (Identity, bool) {
	id := NewIdentity()
	uuid := strings.TrimPrefix(strings.ToLower(strings.TrimSpace(instance)), "urn:uuid:")
	if !IsUUID(uuid) {
		return id, false
	}
	id.InstanceID = "urn:uuid:" + uuid
	return id, true
}

// NewInstanceUUID returns a fresh random (version 4) UUID for
// NewIdentityWithInstance.
func NewInstanceUUID() string { return uuid4() }

// IsUUID reports whether s is a UUID in its 8-4-4-4-12 hex form.
func IsUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, r := range s {
		switch i {
		case 8, 13, 18, 23:
			if r != '-' {
				return false
			}
		default:
			if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
				return false
			}
		}
	}
	return true
}

// ContactURI is the URI other parties reach this phone at.
func (id Identity) ContactURI() sip.Uri {
	params := sip.NewParams()
	params.Add("transport", "ws")
	return sip.Uri{Scheme: "sip", User: id.ContactUser, Host: id.ContactHost, UriParams: params}
}

// Contact builds the Contact header; expires < 0 leaves the parameter out.
// A dialog's Contact (registration false) carries the "ob" URI parameter
// (RFC 5626 §5.4, as JsSIP sends it): requests in the dialog must come back
// over the flow, the WebSocket, this phone registered through.
func (id Identity) Contact(expires int, registration bool) *sip.ContactHeader {
	h := &sip.ContactHeader{Address: id.ContactURI(), Params: sip.NewParams()}
	if !registration {
		h.Address.UriParams.Add("ob", "")
	}
	if registration {
		h.Params.Add("reg-id", "1")
		h.Params.Add("+sip.instance", `"<`+id.InstanceID+`>"`)
	}
	if expires >= 0 {
		h.Params.Add("expires", strconv.Itoa(expires))
	}
	return h
}

// Via builds a Via header with a fresh branch.
func (id Identity) Via(secure bool) *sip.ViaHeader {
	transport := "WS"
	if secure {
		transport = "WSS"
	}
	params := sip.NewParams()
	params.Add("branch", sip.GenerateBranch())
	return &sip.ViaHeader{
		ProtocolName: "SIP", ProtocolVersion: "2.0", Transport: transport,
		Host: id.ContactHost, Params: params,
	}
}

// Allowed lists the methods this UA handles, for Allow headers.
const Allowed = "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, NOTIFY, UPDATE, REFER"

const tokenAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = tokenAlphabet[int(b[i])%len(tokenAlphabet)]
	}
	return string(b)
}

func uuid4() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// NewTag returns a random From/To tag.
func NewTag() string { return randomToken(10) }

// NewCallID returns a random Call-ID.
func NewCallID() string { return randomToken(22) }
