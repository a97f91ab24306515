package e2e

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/webphone/exotelsdk/tests/browser"
)

// The bundle defines exotelSDK synchronously, a fresh client reports
// not_initialized, bad account info is refused without throwing, and nothing
// leaks into the page's globals.
func TestLoaderAndValidation(t *testing.T) {
	base := browser.Serve(t)
	b := browser.Launch(t, browser.Options{})
	page := b.Open(t, base+"/tests/pages/phone.html")

	var typ string
	page.Eval(t, `typeof exotelSDK.ExotelWebClient`, &typ)
	assert.Equal(t, "function", typ)

	var status string
	page.Eval(t, `(() => { const c = new exotelSDK.ExotelWebClient(); harness.clients.fresh = c; return harness.status('fresh'); })()`, &status)
	assert.Equal(t, "not_initialized", status)

	page.Eval(t, `exotelSDK.ready.then(() => true)`, nil)
	var leaked []string
	page.Eval(t, `['fs','process','path','Go','__exotelsdkRuntime'].filter(n => n in globalThis)`, &leaked)
	assert.Empty(t, leaked, "the Go glue must not leave globals in the page")

	for _, bad := range []string{
		`{}`,
		`{userName: 'a', sipdomain: 'd'}`,
		`{userName: 'a', sipdomain: 'd', domain: 'h', port: 'x', security: 'ws'}`,
		`{userName: '', sipdomain: 'd', domain: 'h:1', port: '1'}`,
	} {
		var ok bool
		page.Eval(t, `harness.create('bad', `+bad+`)`, &ok)
		assert.False(t, ok, bad)
	}
	var ok bool
	page.Eval(t, `new exotelSDK.ExotelWebClient().initWebrtc({userName:'a',sipdomain:'d',domain:'h:1',port:'1',security:'ws'}, 'not a function', () => {}, () => {})`, &ok)
	assert.False(t, ok, "a non-function callback is refused")
	var registered bool
	page.Eval(t, `harness.clients.bad.DoRegister()`, &registered)
	assert.False(t, registered, "DoRegister without a successful initWebrtc returns false")

	time.Sleep(100 * time.Millisecond)
	require.Empty(t, page.Exceptions())
}
