package devpbx

import (
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"
)

// Registration lifetimes, in seconds.
const (
	defaultExpires = 300
	minExpires     = 30
	maxExpires     = 3600
)

// flow is where a contact is reached: the transport and the remote address
// of the connection (WebSocket) or socket (UDP) its requests came from. A
// browser's Contact host is a made-up ".invalid" name (RFC 7118), so the
// only way back to it is the WebSocket it registered over.
type flow struct {
	transport string // "WS" or "UDP"
	addr      string // the peer's host:port
}

func (f flow) String() string { return strings.ToLower(f.transport) + ":" + f.addr }

// binding is one registered contact of a user.
type binding struct {
	user     string
	contact  sip.Uri
	instance string // +sip.instance: one device across contact changes
	flow     flow
	expires  time.Time // zero for the bot's static contacts
	updated  time.Time
}

// registrar keeps the contacts of each user (RFC 3261 §10.3), bound to the
// flow they registered over, and the contacts of dialogs set up through
// the proxy, so that requests inside a dialog find their way back too. A
// closed WebSocket drops everything bound to it.
type registrar struct {
	users *Users
	auth  *authenticator
	now   func() time.Time
	log   *slog.Logger

	mu       sync.Mutex
	bindings map[string][]*binding // by user
	seen     map[string]bool       // users that have registered since start
	dialogs  map[string]flow       // contactKey → flow, from INVITE dialogs
}

func newRegistrar(users *Users, auth *authenticator, log *slog.Logger) *registrar {
	return &registrar{users: users, auth: auth, now: time.Now, log: log,
		bindings: map[string][]*binding{}, seen: map[string]bool{}, dialogs: map[string]flow{}}
}

// contactKey identifies a contact URI: user, host and port, case-folded.
func contactKey(u sip.Uri) string {
	port := u.Port
	if port == 0 {
		port = 5060
	}
	return strings.ToLower(u.User) + "@" + strings.ToLower(u.Host) + ":" + strconv.Itoa(port)
}

// register answers a REGISTER that arrived over from: 401 until the digest
// credentials of the To user are right, then the bindings are updated
// and 200 lists them with their remaining lifetimes.
func (r *registrar) register(req *sip.Request, from flow) *sip.Response {
	to := req.To()
	if to == nil || to.Address.User == "" {
		return sip.NewResponseFromRequest(req, 400, "Bad Request (no user in To)", nil)
	}
	user := to.Address.User
	authUser, err := r.auth.verify(req, "Authorization")
	switch {
	case errors.Is(err, errStale):
		return r.challenge(req, true)
	case errors.Is(err, errUnknownUser):
		r.log.Info("REGISTER refused", "user", user, "reason", err)
		return sip.NewResponseFromRequest(req, 403, "Forbidden (unknown user)", nil)
	case err != nil:
		if req.GetHeader("Authorization") != nil {
			r.log.Info("REGISTER refused", "user", user, "reason", err)
		}
		return r.challenge(req, false)
	case authUser != user:
		return sip.NewResponseFromRequest(req, 403, "Forbidden (auth user is not the To user)", nil)
	}

	expiresHdr := -1
	if h := req.GetHeader("Expires"); h != nil {
		if n, err := strconv.Atoi(strings.TrimSpace(h.Value())); err == nil {
			expiresHdr = n
		}
	}
	contacts := req.GetHeaders("Contact")
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(contacts) == 1 && strings.TrimSpace(contacts[0].Value()) == "*" {
		if expiresHdr != 0 {
			return sip.NewResponseFromRequest(req, 400, "Bad Request (* needs Expires: 0)", nil)
		}
		delete(r.bindings, user)
		return r.okLocked(req, user)
	}
	for _, h := range contacts {
		c, ok := h.(*sip.ContactHeader)
		if !ok {
			return sip.NewResponseFromRequest(req, 400, "Bad Request (Contact)", nil)
		}
		exp := expiresHdr
		if v, ok := c.Params.Get("expires"); ok {
			if n, err := strconv.Atoi(v); err == nil {
				exp = n
			}
		}
		if exp < 0 {
			exp = defaultExpires
		}
		if exp > 0 && exp < minExpires {
			res := sip.NewResponseFromRequest(req, 423, "Interval Too Brief", nil)
			res.AppendHeader(sip.NewHeader("Min-Expires", strconv.Itoa(minExpires)))
			return res
		}
		r.updateLocked(user, c, min(exp, maxExpires), from)
	}
	return r.okLocked(req, user)
}

func (r *registrar) challenge(req *sip.Request, stale bool) *sip.Response {
	res := sip.NewResponseFromRequest(req, 401, "Unauthorized", nil)
	res.AppendHeader(sip.NewHeader("WWW-Authenticate", r.auth.challenge(stale)))
	return res
}

// updateLocked adds, refreshes or (exp 0) removes one contact of user.
func (r *registrar) updateLocked(user string, c *sip.ContactHeader, exp int, from flow) {
	instance, _ := c.Params.Get("+sip.instance")
	key := contactKey(c.Address)
	list := slices.DeleteFunc(r.bindings[user], func(b *binding) bool {
		return contactKey(b.contact) == key || (instance != "" && b.instance == instance)
	})
	if exp > 0 {
		now := r.now()
		list = append(list, &binding{user: user, contact: *c.Address.Clone(), instance: instance, flow: from,
			expires: now.Add(time.Duration(exp) * time.Second), updated: now})
		r.seen[user] = true
		r.log.Info("registered", "user", user, "contact", c.Address.String(), "flow", from.String(), "expires", exp)
	} else {
		r.log.Info("unregistered", "user", user, "contact", c.Address.String())
	}
	if len(list) == 0 {
		delete(r.bindings, user)
	} else {
		r.bindings[user] = list
	}
}

// okLocked is the 200 OK listing the user's current contacts.
func (r *registrar) okLocked(req *sip.Request, user string) *sip.Response {
	res := sip.NewResponseFromRequest(req, 200, "OK", nil)
	now := r.now()
	for _, b := range r.liveLocked(user) {
		h := &sip.ContactHeader{Address: *b.contact.Clone(), Params: sip.NewParams()}
		left := maxExpires
		if !b.expires.IsZero() {
			left = int(b.expires.Sub(now).Round(time.Second) / time.Second)
		}
		h.Params.Add("expires", strconv.Itoa(left))
		res.AppendHeader(h)
	}
	res.AppendHeader(sip.NewHeader("Date", now.UTC().Format(time.RFC1123)))
	return res
}

// liveLocked returns user's unexpired bindings, newest first.
func (r *registrar) liveLocked(user string) []*binding {
	now := r.now()
	list := slices.DeleteFunc(r.bindings[user], func(b *binding) bool {
		return !b.expires.IsZero() && !now.Before(b.expires)
	})
	if len(list) == 0 {
		delete(r.bindings, user)
		return nil
	}
	r.bindings[user] = list
	out := slices.Clone(list)
	slices.SortStableFunc(out, func(a, b *binding) int { return b.updated.Compare(a.updated) })
	return out
}

// errNotFound and errOffline say why lookup found nobody: the user was
// never heard of (404) or has no contact now (480).
var (
	errNotFound = errors.New("no such user")
	errOffline  = errors.New("user not registered")
)

// lookup returns where to send a new request for user: the contact that
// registered last. (Several contacts of one user are not forked to.)
func (r *registrar) lookup(user string) (*binding, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if list := r.liveLocked(user); len(list) > 0 {
		b := *list[0]
		return &b, nil
	}
	if r.seen[user] || r.users.Fixed(user) {
		return nil, errOffline
	}
	return nil, errNotFound
}

// lookupContact finds the flow that reaches a contact URI: a registered
// contact, or one learnt from a dialog.
func (r *registrar) lookupContact(u sip.Uri) (flow, bool) {
	key := contactKey(u)
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, list := range r.bindings {
		for _, b := range list {
			if contactKey(b.contact) == key {
				return b.flow, true
			}
		}
	}
	f, ok := r.dialogs[key]
	return f, ok
}

// flowHasUser reports whether user has a live contact registered over f:
// such a connection is trusted to speak for user without new credentials.
func (r *registrar) flowHasUser(f flow, user string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, b := range r.liveLocked(user) {
		if b.flow == f {
			return true
		}
	}
	return false
}

// rememberDialog records that contact is reached over f, for the requests
// of a dialog whose party never registered that contact.
func (r *registrar) rememberDialog(contact sip.Uri, f flow) {
	r.mu.Lock()
	r.dialogs[contactKey(contact)] = f
	r.mu.Unlock()
}

// addStatic binds user to a contact that never expires (the call bot).
func (r *registrar) addStatic(user string, contact sip.Uri, f flow) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.bindings[user] = append(r.bindings[user], &binding{user: user, contact: contact, flow: f, updated: r.now()})
	r.seen[user] = true
}

// dropFlow forgets every contact bound to a connection that closed.
func (r *registrar) dropFlow(f flow) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for user, list := range r.bindings {
		kept := slices.DeleteFunc(list, func(b *binding) bool { return b.flow == f })
		if len(kept) != len(list) {
			r.log.Info("connection closed: contacts dropped", "user", user, "flow", f.String(), "dropped", len(list)-len(kept))
		}
		if len(kept) == 0 {
			delete(r.bindings, user)
		} else {
			r.bindings[user] = kept
		}
	}
	for k, df := range r.dialogs {
		if df == f {
			delete(r.dialogs, k)
		}
	}
}

// registered lists the users with a live contact and how many each has.
func (r *registrar) registered() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string]int{}
	for user := range r.bindings {
		if n := len(r.liveLocked(user)); n > 0 {
			out[user] = n
		}
	}
	return out
}

// describe is a one-line summary for logs.
func (b *binding) describe() string {
	return fmt.Sprintf("%s at %s via %s", b.user, b.contact.String(), b.flow)
}
