package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/webphone/exotelsdk/internal/devpbx"
	"github.com/webphone/exotelsdk/tests/browser"
)

// demoFixture is the development server (started in-process on a free
// loopback port) and the demo softphone open in Chromium, whose fake
// microphone plays a 1 kHz tone.
type demoFixture struct {
	srv     *devpbx.Server
	browser *browser.Browser
	page    *browser.Page
}

func newDemoFixture(t *testing.T, query string) *demoFixture {
	t.Helper()
	root := browser.RepoRoot(t)
	if _, err := os.Stat(filepath.Join(root, "dist", "exotelsdk.wasm")); err != nil {
		t.Fatalf("dist/exotelsdk.wasm is missing: run `npm run build` first (%v)", err)
	}
	logger := slog.New(slog.DiscardHandler)
	if os.Getenv("DEVPBX_LOG") != "" {
		logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	srv, err := devpbx.Start(devpbx.Config{Addr: "127.0.0.1:0", WebDir: filepath.Join(root, "web", "demo"),
		DistDir: filepath.Join(root, "dist"), Log: logger})
	require.NoError(t, err)
	t.Cleanup(srv.Close)
	b := browser.Launch(t, browser.Options{FakeAudioFile: browser.ToneWAV(t, 1000, 0.5, 20)})
	page := b.Open(t, srv.URL()+query)
	return &demoFixture{srv: srv, browser: b, page: page}
}

// text is the textContent of the element with that id.
func (f *demoFixture) text(t *testing.T, id string) string {
	t.Helper()
	var s string
	f.page.Eval(t, fmt.Sprintf(`document.getElementById(%q).textContent`, id), &s)
	return s
}

// hidden reports whether the element with that id is hidden.
func (f *demoFixture) hidden(t *testing.T, id string) bool {
	t.Helper()
	var h bool
	f.page.Eval(t, fmt.Sprintf(`document.getElementById(%q).hidden`, id), &h)
	return h
}

// waitText waits until the element's textContent is want, and says what
// it was instead if it never is.
func (f *demoFixture) waitText(t *testing.T, id, want string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var got string
	for {
		if err := f.page.EvalErr(fmt.Sprintf(`document.getElementById(%q).textContent`, id), &got); err == nil && got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("#%s never read %q in %s; it reads %q", id, want, timeout, got)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// register fills nothing (the form comes prefilled for the server) and
// clicks Register once the SDK has loaded (the button is disabled until
// then), as a developer trying the demo would.
func (f *demoFixture) register(t *testing.T) {
	t.Helper()
	f.page.WaitUntil(t, `!document.getElementById('register').disabled`, 60*time.Second)
	f.page.Click(t, "#register")
	f.waitText(t, "regState", "registered", 20*time.Second)
}

// heardLevel is the RMS (0..1) of what the page receives in its current
// call over ms milliseconds, measured with a Web Audio analyser on the
// SDK call's remote stream (as tests/pages/phone.html does).
func (f *demoFixture) heardLevel(t *testing.T, ms int) float64 {
	t.Helper()
	var v float64
	f.page.Eval(t, fmt.Sprintf(`(() => {
		const call = demo.client.getCall();
		const stream = call && call.getRemoteStream();
		if (!stream) { return Promise.resolve(-1); }
		const ac = new AudioContext();
		const an = ac.createAnalyser();
		an.fftSize = 2048;
		ac.createMediaStreamSource(stream).connect(an);
		const buf = new Float32Array(an.fftSize);
		let sum = 0, count = 0;
		return new Promise((resolve) => {
			const timer = setInterval(() => {
				an.getFloatTimeDomainData(buf);
				for (let i = 0; i < buf.length; i++) { sum += buf[i] * buf[i]; }
				count += buf.length;
			}, 40);
			setTimeout(() => { clearInterval(timer); ac.close(); resolve(Math.sqrt(sum / Math.max(count, 1))); }, %d);
		});
	})()`, ms), &v)
	return v
}

// askBotToCall is what the page's button does, for tests that need a
// display name the button does not send.
func askBotToCall(t *testing.T, srv *devpbx.Server, user, displayName string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"user": user, "displayName": displayName})
	res, err := http.Post(strings.TrimSuffix(srv.URL(), "/")+"/api/bot/call", "application/json", bytes.NewReader(body))
	require.NoError(t, err)
	defer res.Body.Close()
	var out struct {
		Call  string `json:"call"`
		Error string `json:"error"`
	}
	require.NoError(t, json.NewDecoder(res.Body).Decode(&out))
	require.Equal(t, http.StatusAccepted, res.StatusCode, out.Error)
	return out.Call
}
