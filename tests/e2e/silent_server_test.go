package e2e

import (
	"fmt"
	"net"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"
	"github.com/stretchr/testify/assert"
	"github.com/webphone/exotelsdk/tests/browser"
)

// silentServer accepts SIP WebSocket connections and reads every frame but
// never answers: a registrar that hangs.
func silentServer(t *testing.T) (addr string, frames *atomic.Int32) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	frames = &atomic.Int32{}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		up := ws.HTTPUpgrader{Protocol: func(p string) bool { return p == "sip" }}
		conn, _, _, err := up.Upgrade(r, w)
		if err != nil {
			return
		}
		defer conn.Close()
		for {
			if _, _, err := wsutil.ReadClientData(conn); err != nil {
				return
			}
			frames.Add(1)
		}
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String(), frames
}

// A registrar that never answers: terminated after the timeout, and the SDK
// then treats the connection as dead and reconnects.
func TestServerThatNeverAnswersTerminates(t *testing.T) {
	addr, frames := silentServer(t)
	_, port, _ := net.SplitHostPort(addr)
	base := browser.Serve(t)
	page := browser.Launch(t, browser.Options{}).Open(t, base+"/tests/pages/phone.html")
	acct := map[string]string{"userName": "alice", "secret": "x", "sipdomain": "example.test",
		"domain": addr, "port": port, "security": "ws", "endpoint": "ws"}
	page.Eval(t, fmt.Sprintf(`harness.create('alice', %s).then(() => harness.clients.alice.DoRegister())`, js(t, acct)), nil)
	waitEvent(t, page, "register:alice", "terminated", 20*time.Second)
	assert.EqualValues(t, 1, frames.Load(), "one REGISTER, not retransmitted over a reliable transport")
	assert.NotContains(t, events(t, page, "register:alice"), "registered")
	assert.Eventually(t, func() bool { return frames.Load() >= 2 }, 5*time.Second, 50*time.Millisecond,
		"after the timeout the SDK reconnects and registers again")
	assert.Empty(t, page.Exceptions())
}
