package devpbx

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func get(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	res, err := http.Get(url)
	require.NoError(t, err)
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

func postJSON(t *testing.T, url, contentType, body string) (int, map[string]any) {
	t.Helper()
	res, err := http.Post(url, contentType, strings.NewReader(body))
	require.NoError(t, err)
	defer res.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out
}

// The demo page, the SDK build (wasm with its MIME type) and the config
// come from the same port as SIP; the page is served with a CSP that
// allows no inline script.
func TestServesDemoAndDist(t *testing.T) {
	web, dist := t.TempDir(), t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(web, "index.html"), []byte("<!doctype html><title>demo</title>"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dist, "exotelsdk.wasm"), []byte("\x00asm"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dist, "exotelsdk.js"), []byte("var exotelSDK"), 0o644))
	srv := startServer(t, Config{WebDir: web, DistDir: dist})

	res, body := get(t, srv.URL())
	assert.Equal(t, 200, res.StatusCode)
	assert.Contains(t, body, "<title>demo</title>")
	assert.Contains(t, res.Header.Get("Content-Security-Policy"), "script-src 'self' 'wasm-unsafe-eval'")
	res, _ = get(t, srv.URL()+"dist/exotelsdk.wasm")
	assert.Equal(t, "application/wasm", res.Header.Get("Content-Type"))
	res, _ = get(t, srv.URL()+"dist/exotelsdk.js")
	assert.Contains(t, res.Header.Get("Content-Type"), "javascript")
	res, _ = get(t, srv.URL()+"dist/../../etc/passwd")
	assert.NotEqual(t, 200, res.StatusCode)
	res, _ = get(t, srv.URL()+"ws")
	assert.Equal(t, http.StatusUpgradeRequired, res.StatusCode, "a plain GET of /ws is told to upgrade")

	res, body = get(t, srv.URL()+"api/config")
	require.Equal(t, 200, res.StatusCode)
	var config configResponse
	require.NoError(t, json.Unmarshal([]byte(body), &config))
	assert.Equal(t, "127.0.0.1", config.SipDomain)
	assert.Equal(t, []string{"alice", "bob", "carol"}, config.Users)
	assert.Equal(t, "pw-alice", config.Passwords["alice"])
	assert.Equal(t, []string{"bot", "bot2", "echo"}, config.BotUsers)
}

// POST /api/bot/call takes only JSON, and only for a registered user.
func TestBotCallAPIRefusals(t *testing.T) {
	srv := startServer(t, Config{})
	url := srv.URL() + "api/bot/call"
	code, _ := postJSON(t, url, "application/x-www-form-urlencoded", "user=alice")
	assert.Equal(t, http.StatusUnsupportedMediaType, code, "no form posts from other sites")
	code, out := postJSON(t, url, "application/json", `{"user":"zed"}`)
	assert.Equal(t, http.StatusNotFound, code)
	assert.Contains(t, out["error"], "no such user")
	code, out = postJSON(t, url, "application/json", `{"user":"alice"}`)
	assert.Equal(t, http.StatusConflict, code)
	assert.Contains(t, out["error"], "not registered")
	code, _ = postJSON(t, url, "application/json", `{"user":`)
	assert.Equal(t, http.StatusBadRequest, code)

	alice := newPhone(t, srv, "alice")
	alice.mustRegister()
	code, out = postJSON(t, url, "application/json", `{"user":"alice","displayName":"say \"hi\""}`)
	assert.Equal(t, http.StatusBadRequest, code, "quotes would break the From header")
	assert.Contains(t, out["error"], "quotes")
	res, _ := get(t, srv.URL()+"api/bot/digits?call=nope")
	assert.Equal(t, http.StatusNotFound, res.StatusCode)
}

// The bot calls through the API; the event stream reports the call, and
// the digits the phone sends show up in the stream and at /api/bot/digits.
func TestBotEventsAndDigits(t *testing.T) {
	srv := startServer(t, Config{})
	alice := newPhone(t, srv, "alice")
	alice.mustRegister()

	res, err := http.Get(srv.URL() + "api/bot/events")
	require.NoError(t, err)
	defer res.Body.Close()
	assert.Equal(t, "text/event-stream", res.Header.Get("Content-Type"))
	events := make(chan string, 32)
	go func() {
		sc := bufio.NewScanner(res.Body)
		for sc.Scan() {
			if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				events <- data
			}
		}
	}()

	code, out := postJSON(t, srv.URL()+"api/bot/call", "application/json", `{"user":"alice"}`)
	require.Equal(t, http.StatusAccepted, code)
	callID := out["call"].(string)
	assert.Contains(t, <-events, `"state":"ringing"`)

	in := alice.next(sip.INVITE)
	ok := sip.NewSDPResponseFromRequest(in.req, []byte(answerSDP(t, string(in.req.Body()))))
	ok.AppendHeader(&sip.ContactHeader{Address: alice.contact})
	in.answer(t, ok)
	close(in.done)
	alice.next(sip.ACK)
	assert.Contains(t, <-events, `"state":"connected"`)

	info := sip.NewRequest(sip.INFO, *in.req.Contact().Address.Clone())
	for _, h := range in.req.GetHeaders("Record-Route") {
		info.AppendHeader(sip.NewHeader("Route", h.Value()))
	}
	from, to := ok.To().AsFrom(), in.req.From().AsTo()
	info.AppendHeader(&from)
	info.AppendHeader(&to)
	info.AppendHeader(sip.HeaderClone(in.req.CallID()))
	info.AppendHeader(&sip.CSeqHeader{SeqNo: 1, MethodName: sip.INFO})
	info.AppendHeader(sip.NewHeader("Content-Type", "application/dtmf-relay"))
	info.SetBody([]byte("Signal=7\r\nDuration=160\r\n"))
	alice.toServer(info)
	require.Equal(t, 200, alice.do(info).StatusCode)

	select {
	case e := <-events:
		assert.Contains(t, e, `"type":"digit"`)
		assert.Contains(t, e, `"digits":"7"`)
		assert.Contains(t, e, callID)
	case <-time.After(5 * time.Second):
		t.Fatal("no digit event")
	}
	_, body := get(t, srv.URL()+"api/bot/digits?call="+callID)
	assert.Contains(t, body, `"digits":"7"`)
	_, body = get(t, srv.URL()+"api/bot/calls")
	assert.Contains(t, body, `"direction":"outgoing"`)
}
