package e2e

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/webphone/exotelsdk/tests/browser"
)

// addScript adds <script src="/dist/exotelsdk.js"> (with data-wasm-url when
// given) to the page and resolves once it has run.
func addScript(wasmURL string) string {
	return `new Promise((resolve, reject) => {
	  const s = document.createElement('script');
	  s.src = '/dist/exotelsdk.js';
	  if (` + "`" + wasmURL + "`" + `) { s.dataset.wasmUrl = ` + "`" + wasmURL + "`" + `; }
	  s.onload = () => resolve(true); s.onerror = reject;
	  document.head.append(s);
	})`
}

// wasmFetches lists the URLs the page fetched that contain part.
func wasmFetches(t *testing.T, page *browser.Page, part string) []string {
	t.Helper()
	var urls []string
	page.Eval(t, `performance.getEntriesByType('resource').map(e => e.name).filter(n => n.includes(`+js(t, part)+`))`, &urls)
	return urls
}

// A wasm that cannot be fetched, or is not WebAssembly, fails exotelSDK.ready
// with an error naming the URL and what came back; it is fetched once.
func TestWasmLoadFailuresNameTheURL(t *testing.T) {
	base := browser.Serve(t)
	b := browser.Launch(t, browser.Options{})
	for _, tc := range []struct{ name, url, want string }{
		{"404", "/nowhere/exotelsdk.wasm", "HTTP 404"},
		{"an HTML page", "/tests/pages/blank.html", "not WebAssembly (Content-Type: text/html)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			page := b.Open(t, base+"/tests/pages/blank.html")
			page.Eval(t, addScript(tc.url), nil)
			var msg string
			page.Eval(t, `exotelSDK.ready.then(() => 'loaded', err => err.message + ' [' + err.code + ']')`, &msg)
			assert.Contains(t, msg, base+tc.url)
			assert.Contains(t, msg, tc.want)
			assert.Contains(t, msg, "[wasm-unavailable]")
			// A failed fetch's resource-timing entry may be queued after
			// the rejection: wait for it, then count.
			page.WaitUntil(t, `performance.getEntriesByType('resource').some(e => e.name.includes(`+js(t, tc.url)+`))`, 5*time.Second)
			assert.Len(t, wasmFetches(t, page, tc.url), 1, "fetched once")
		})
	}
}

// The UMD script and the ES module in one page are one exotelSDK and one
// runtime; setWasmURL right after the script tag takes the place of its
// early fetch.
func TestScriptAndModuleShareOneRuntime(t *testing.T) {
	base := browser.Serve(t)
	page := browser.Launch(t, browser.Options{}).Open(t, base+"/tests/pages/blank.html")
	page.Eval(t, addScript(""), nil)
	var ok bool
	page.Eval(t, `exotelSDK.setWasmURL('/dist/exotelsdk.wasm?chosen')`, &ok)
	require.True(t, ok)
	page.Eval(t, `import('/dist/exotelsdk.mjs').then(m => m.default === window.exotelSDK && m.ExotelWebClient === exotelSDK.ExotelWebClient)`, &ok)
	assert.True(t, ok, "the module hands out the script's exotelSDK")
	var status string
	page.Eval(t, `exotelSDK.ready.then(() => new Promise(r => new exotelSDK.ExotelWebClient().checkClientStatus(r)))`, &status)
	assert.Equal(t, "not_initialized", status)
	page.Eval(t, `import('/dist/exotelsdk.mjs?again').then(m => m.default === window.exotelSDK)`, &ok)
	assert.True(t, ok)
	used := wasmFetches(t, page, "exotelsdk.wasm")
	assert.Contains(t, used, base+"/dist/exotelsdk.wasm?chosen", "the URL setWasmURL gave is the one compiled")
	assert.Empty(t, page.Exceptions())
}

// <script data-wasm-url> names the wasm up front: nothing else is fetched.
func TestDataWasmURLIsTheOnlyFetch(t *testing.T) {
	base := browser.Serve(t)
	page := browser.Launch(t, browser.Options{}).Open(t, base+"/tests/pages/blank.html")
	page.Eval(t, addScript("/dist/exotelsdk.wasm?given"), nil)
	page.Eval(t, `exotelSDK.ready.then(() => true)`, nil)
	assert.Equal(t, []string{base + "/dist/exotelsdk.wasm?given"}, wasmFetches(t, page, "exotelsdk.wasm"))
	assert.Empty(t, page.Exceptions())
}
