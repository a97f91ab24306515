package e2e

import (
	"fmt"
	"math"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/webphone/exotelsdk/tests/browser"
)

// While the WebAssembly loads the demo says so and its buttons are
// disabled (held here by a proxy that delays exotelsdk.wasm); once the SDK
// is ready they work. A wasm that cannot be fetched leaves them disabled
// with the reason on the page.
func TestDemoShowsLoadingUntilTheSDKIsReady(t *testing.T) {
	f := newDemoFixture(t, "")
	target, err := url.Parse(f.srv.URL())
	require.NoError(t, err)
	var mode atomic.Value
	mode.Store("hold")
	release := make(chan struct{})
	proxy := httputil.NewSingleHostReverseProxy(target)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/dist/exotelsdk.wasm" {
			switch mode.Load() {
			case "hold":
				select {
				case <-release:
				case <-r.Context().Done():
					return
				}
			case "missing":
				http.NotFound(w, r)
				return
			}
		}
		proxy.ServeHTTP(w, r)
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	base := "http://" + ln.Addr().String() + "/"

	page := f.browser.Open(t, base)
	disabled := func(id string) bool {
		var d bool
		page.Eval(t, fmt.Sprintf(`document.getElementById(%q).disabled`, id), &d)
		return d
	}
	page.WaitUntil(t, `document.getElementById('regBadge').textContent === 'loading the SDK…'`, 10*time.Second)
	var loadingShown bool
	page.Eval(t, `!document.getElementById('sdkLoading').hidden`, &loadingShown)
	assert.True(t, loadingShown, "the loading banner is shown")
	for _, id := range []string{"register", "unregister", "dial", "callBot", "diagInit", "micTest"} {
		assert.True(t, disabled(id), "%s is disabled while the SDK loads", id)
	}
	close(release)
	page.WaitUntil(t, `!document.getElementById('register').disabled`, 60*time.Second)
	page.WaitUntil(t, `document.getElementById('sdkLoading').hidden`, 5*time.Second)
	assert.Contains(t, textOf(t, page, "sdkVersion"), "ready in")
	assert.Equal(t, "not registered", textOf(t, page, "regBadge"))
	assert.True(t, disabled("dial"), "calling waits for registration")
	assert.False(t, disabled("diagInit"))

	mode.Store("missing")
	broken := f.browser.Open(t, base)
	broken.WaitUntil(t, `document.getElementById('sdkLoadingText').textContent.includes('could not start')`, 30*time.Second)
	assert.Contains(t, textOf(t, broken, "sdkLoadingText"), "dist/exotelsdk.wasm", "with a hint what to check")
	assert.Equal(t, "SDK not loaded", textOf(t, broken, "regBadge"))
	var stillDisabled bool
	broken.Eval(t, `document.getElementById('register').disabled`, &stillDisabled)
	assert.True(t, stillDisabled)
	assert.Empty(t, page.Exceptions())
}

// The demo during a call, at a desktop and at a phone width, saved to
// tests/artifacts/demo-desktop.png and demo-phone.png (whole pages) and
// demo-desktop-screen.png and demo-phone-screen.png (the first screen) for a
// person to look at. What can be checked is: nothing is wider than a phone's screen, and
// a pressed toggle under the mouse stays white on a dark background.
func TestDemoScreenshotsAtDesktopAndPhoneWidths(t *testing.T) {
	f := newDemoFixture(t, "")
	f.register(t)
	f.page.Click(t, "#callBot")
	f.waitText(t, "callState", "connected", 15*time.Second)
	f.page.WaitUntil(t, `document.getElementById('quality').dataset.grade !== 'unknown'`, 15*time.Second)

	// The mouse stays on Mute after the click: the pressed toggle is hovered.
	f.page.Click(t, "#mute")
	var look struct {
		Hovered    bool
		Pressed    string
		Color      string
		Background string
	}
	f.page.Eval(t, `(() => {
		const b = document.getElementById('mute');
		const s = getComputedStyle(b);
		return { hovered: b.matches(':hover'), pressed: b.getAttribute('aria-pressed'), color: s.color, background: s.backgroundColor };
	})()`, &look)
	assert.True(t, look.Hovered, "the mouse is on the button")
	assert.Equal(t, "true", look.Pressed)
	assert.GreaterOrEqual(t, contrast(t, look.Color, look.Background), 4.5,
		"readable (WCAG AA): %s on %s", look.Color, look.Background)
	f.page.Click(t, "#mute")

	artifacts := filepath.Join(browser.RepoRoot(t), "tests", "artifacts")
	for _, size := range []struct {
		name          string
		width, height int64
	}{{"desktop", 1280, 800}, {"phone", 390, 844}} {
		require.NoError(t, chromedp.Do(f.page.Context(), chromedp.EmulateViewport(size.width, size.height)))
		var width int64
		f.page.Eval(t, `document.documentElement.scrollWidth`, &width)
		assert.LessOrEqual(t, width, size.width, "%s: nothing sticks out sideways", size.name)
		f.page.Screenshot(t, filepath.Join(artifacts, "demo-"+size.name+".png"))
		// And the first screen only: what a person sees without scrolling.
		f.page.Eval(t, `window.scrollTo(0, 0)`, nil)
		png, err := chromedp.Run(f.page.Context(), chromedp.CaptureScreenshot())
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(artifacts, "demo-"+size.name+"-screen.png"), png, 0o644))
	}
	f.page.Click(t, "#hangup")
	f.page.WaitUntil(t, `document.getElementById('callPanel').hidden`, 10*time.Second)
	assert.Empty(t, f.page.Exceptions())
}

func textOf(t *testing.T, page *browser.Page, id string) string {
	t.Helper()
	var s string
	page.Eval(t, fmt.Sprintf(`document.getElementById(%q).textContent`, id), &s)
	return s
}

// contrast is the WCAG contrast ratio (1 to 21) of two CSS "rgb(r, g, b)"
// colours.
func contrast(t *testing.T, a, b string) float64 {
	t.Helper()
	la, lb := luminance(t, a), luminance(t, b)
	return (math.Max(la, lb) + 0.05) / (math.Min(la, lb) + 0.05)
}

// luminance is the WCAG relative luminance (0 black .. 1 white) of a CSS
// "rgb(r, g, b)" colour.
func luminance(t *testing.T, css string) float64 {
	t.Helper()
	var c [3]float64
	_, err := fmt.Sscanf(css, "rgb(%f, %f, %f)", &c[0], &c[1], &c[2])
	require.NoError(t, err, "colour %q", css)
	for i, v := range c {
		v /= 255
		if v <= 0.03928 {
			c[i] = v / 12.92
		} else {
			c[i] = math.Pow((v+0.055)/1.055, 2.4)
		}
	}
	return 0.2126*c[0] + 0.7152*c[1] + 0.0722*c[2]
}
