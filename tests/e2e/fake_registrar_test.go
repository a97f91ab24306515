package e2e

import (
	"net"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/emiago/sipgo/sip"
	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"
)

// fakeRegistrar is a SIP-over-WebSocket server that accepts every REGISTER
// and answers keep-alive pings, until it is told to go silent: then it keeps
// connections open but answers nothing, like a server that hung.
type fakeRegistrar struct {
	addr        string
	silent      atomic.Bool
	connections atomic.Int32
	registers   atomic.Int32
}

func startFakeRegistrar(t *testing.T) *fakeRegistrar {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeRegistrar{addr: ln.Addr().String()}
	srv := &http.Server{Handler: http.HandlerFunc(f.serve)}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return f
}

func (f *fakeRegistrar) serve(w http.ResponseWriter, r *http.Request) {
	up := ws.HTTPUpgrader{Protocol: func(p string) bool { return p == "sip" }}
	conn, _, _, err := up.Upgrade(r, w)
	if err != nil {
		return
	}
	defer conn.Close()
	f.connections.Add(1)
	for {
		data, _, err := wsutil.ReadClientData(conn)
		if err != nil {
			return
		}
		if f.silent.Load() {
			continue
		}
		if string(data) == "\r\n\r\n" {
			_ = wsutil.WriteServerText(conn, []byte("\r\n"))
			continue
		}
		msg, err := sip.ParseMessage(data)
		req, ok := msg.(*sip.Request)
		if err != nil || !ok || req.Method != sip.REGISTER {
			continue
		}
		f.registers.Add(1)
		res := sip.NewResponseFromRequest(req, 200, "OK", nil)
		if c := req.Contact(); c != nil {
			res.AppendHeader(c)
		}
		_ = wsutil.WriteServerText(conn, []byte(res.String()))
	}
}
