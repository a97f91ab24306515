package kamailio_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/webphone/exotelsdk/tests/kamailio"
)

func TestAvailable(t *testing.T) {
	if err := kamailio.Available(); err != nil {
		t.Fatal(err) // CI installs Kamailio: missing is a failure, not a skip
	}
}

// TestRegisterDigest registers over UDP with each digest algorithm the
// server can challenge with, then unregisters.
func TestRegisterDigest(t *testing.T) {
	for _, alg := range []string{"MD5", "SHA-256"} {
		t.Run(alg, func(t *testing.T) {
			srv := kamailio.Start(t, kamailio.Options{Algorithm: alg})
			ua := newUDPUA(t)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()

			res, err := ua.register(ctx, srv, "bob", kamailio.Password("bob"), 300)
			if err != nil {
				t.Fatal(err)
			}
			if res.StatusCode != 200 {
				t.Fatalf("REGISTER answered %s", res.StartLine())
			}
			contacts, err := srv.Contacts("bob@" + srv.Domain)
			if err != nil {
				t.Fatal(err)
			}
			c := ua.contact("bob")
			want := c.Address.String()
			if len(contacts) != 1 || !strings.HasPrefix(contacts[0], want) {
				t.Fatalf("contacts = %q, want [%s]", contacts, want)
			}

			res, err = ua.register(ctx, srv, "bob", kamailio.Password("bob"), 0)
			if err != nil || res.StatusCode != 200 {
				t.Fatalf("unREGISTER: %v %v", res, err)
			}
			contacts, err = srv.Contacts("bob")
			if err != nil || len(contacts) != 0 {
				t.Fatalf("after unregister contacts = %q, %v", contacts, err)
			}
		})
	}
}

// TestChallengeAlgorithm checks the challenge names the configured algorithm.
func TestChallengeAlgorithm(t *testing.T) {
	srv := kamailio.Start(t, kamailio.Options{Algorithm: "SHA-256"})
	ua := newUDPUA(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// A wrong password gets challenged again; the challenge is what we inspect.
	res, err := ua.register(ctx, srv, "bob", "nope", 300)
	if err != nil {
		t.Fatal(err)
	}
	h := res.GetHeader("WWW-Authenticate")
	if h == nil || !strings.Contains(h.Value(), "algorithm=SHA-256") || !strings.Contains(h.Value(), `qop="auth"`) {
		t.Fatalf("challenge %v does not name SHA-256 with qop=auth", h)
	}
}

func TestWrongPasswordRefused(t *testing.T) {
	srv := kamailio.Start(t, kamailio.Options{})
	ua := newUDPUA(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := ua.register(ctx, srv, "carol", "wrong", 300)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 401 {
		t.Fatalf("wrong password answered %s, want 401", res.StartLine())
	}
	if c, _ := srv.Contacts("carol"); len(c) != 0 {
		t.Fatalf("refused user got registered: %q", c)
	}
	// Someone else's password for this user is wrong too.
	res, err = ua.register(ctx, srv, "carol", kamailio.Password("bob"), 300)
	if err != nil || res.StatusCode != 401 {
		t.Fatalf("other user's password: %v %v", res, err)
	}
}

func TestMinExpires(t *testing.T) {
	srv := kamailio.Start(t, kamailio.Options{MinExpires: 120})
	ua := newUDPUA(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := ua.register(ctx, srv, "dave", kamailio.Password("dave"), 60)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 423 {
		t.Fatalf("expires below minimum answered %s, want 423", res.StartLine())
	}
	if h := res.GetHeader("Min-Expires"); h == nil || h.Value() != "120" {
		t.Fatalf("Min-Expires = %v, want 120", h)
	}
	res, err = ua.register(ctx, srv, "dave", kamailio.Password("dave"), 120)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("expires at minimum: %v %v", res, err)
	}
}

// TestStopRestart checks Restart keeps the ports and forgets registrations.
func TestStopRestart(t *testing.T) {
	srv := kamailio.Start(t, kamailio.Options{})
	ua := newUDPUA(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if res, err := ua.register(ctx, srv, "erin", kamailio.Password("erin"), 300); err != nil || res.StatusCode != 200 {
		t.Fatalf("REGISTER: %v %v", res, err)
	}
	udp, ws := srv.UDPAddr, srv.WSURL

	srv.Stop()
	if srv.Running() {
		t.Fatal("still running after Stop")
	}
	if err := srv.Ping(300 * time.Millisecond); err == nil {
		t.Fatal("stopped server answered OPTIONS")
	}

	srv.Restart(t)
	if srv.UDPAddr != udp || srv.WSURL != ws {
		t.Fatalf("ports changed: %s %s -> %s %s", udp, ws, srv.UDPAddr, srv.WSURL)
	}
	if err := srv.Ping(time.Second); err != nil {
		t.Fatal(err)
	}
	if c, err := srv.Contacts("erin"); err != nil || len(c) != 0 {
		t.Fatalf("location table not empty after restart: %q %v", c, err)
	}
	if res, err := ua.register(ctx, srv, "erin", kamailio.Password("erin"), 300); err != nil || res.StatusCode != 200 {
		t.Fatalf("REGISTER after restart: %v %v", res, err)
	}
}
