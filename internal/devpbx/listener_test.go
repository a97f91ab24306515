package devpbx

import (
	"bufio"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestIsWebSocketUpgrade(t *testing.T) {
	assert.True(t, isWebSocketUpgrade([]byte("GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nupgrade: WebSocket")))
	assert.False(t, isWebSocketUpgrade([]byte("GET / HTTP/1.1\r\nHost: x")))
	assert.False(t, isWebSocketUpgrade([]byte("POST /ws HTTP/1.1\r\nUpgrade: websocket")))
	assert.False(t, isWebSocketUpgrade([]byte("GET /ws HTTP/1.1\r\nX-Upgrade: websocket")))
}

// Connections are sorted by their first request, which each side then
// reads in full; the head may arrive in pieces.
func TestSplitListenerSortsAndReplays(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	closed := make(chan string, 1)
	ws, web := newSplitListener(ln, func(raddr string) { closed <- raddr })
	defer ws.Close()

	send := func(parts ...string) net.Conn {
		c, err := net.Dial("tcp", ln.Addr().String())
		require.NoError(t, err)
		for _, p := range parts {
			_, _ = c.Write([]byte(p))
			time.Sleep(20 * time.Millisecond)
		}
		return c
	}
	readAll := func(l net.Listener) string {
		c, err := l.Accept()
		require.NoError(t, err)
		_ = c.SetReadDeadline(time.Now().Add(2 * time.Second))
		b, _ := bufio.NewReader(c).ReadString('!')
		c.Close()
		return b
	}

	page := send("GET / HTTP/1.1\r\nHost: a\r\n", "\r\nbody!")
	defer page.Close()
	assert.Equal(t, "GET / HTTP/1.1\r\nHost: a\r\n\r\nbody!", readAll(web))

	sip := send("GET /ws HTTP/1.1\r\nUpgrade: websocket\r\n\r\n", "frames!")
	defer sip.Close()
	assert.Equal(t, "GET /ws HTTP/1.1\r\nUpgrade: websocket\r\n\r\nframes!", readAll(ws))
	select {
	case raddr := <-closed:
		assert.Equal(t, sip.LocalAddr().String(), raddr, "closing a SIP connection is reported")
	case <-time.After(2 * time.Second):
		t.Fatal("no close reported")
	}

	// A client that hangs up before a request is just dropped.
	idle := send()
	idle.Close()
	page2 := send("GET /x HTTP/1.1\r\n\r\n!")
	defer page2.Close()
	assert.True(t, strings.HasPrefix(readAll(web), "GET /x"), "the next connection is served")
}
