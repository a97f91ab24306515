package browser

import (
	"testing"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/chromedp"
)

// SetMicrophone grants or denies the microphone to origin
// ("http://127.0.0.1:port"), as a user answering the browser's prompt would.
func (p *Page) SetMicrophone(t testing.TB, origin string, allowed bool) {
	t.Helper()
	setting := browser.PermissionSettingDenied
	if allowed {
		setting = browser.PermissionSettingGranted
	}
	c := chromedp.FromContext(p.ctx)
	_, err := cdp.Call(p.ctx, c.Browser, browser.SetPermission, browser.SetPermissionParams{
		Permission: &browser.PermissionDescriptor{Name: "microphone"}, Setting: setting, Origin: origin,
	})
	if err != nil {
		t.Fatalf("set microphone permission: %v", err)
	}
}
