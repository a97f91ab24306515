// Package npm tests the npm package as an app consumes it: `npm pack`, install
// the tarball into a fresh app, type-check the app against index.d.ts, bundle
// it with esbuild, and register from the bundle in headless Chromium against
// the development server.
package npm

import (
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/webphone/exotelsdk/internal/devpbx"
	"github.com/webphone/exotelsdk/tests/browser"
)

const app = `import exotelSDK, { ExotelWebClient, RegisterState, SipAccountInfo } from 'exotelsdk-go';

const params = new URLSearchParams(location.search);
const info: SipAccountInfo = JSON.parse(params.get('account') || '{}');
const states: RegisterState[] = [];
(window as unknown as { states: RegisterState[] }).states = states;

const client: ExotelWebClient = new exotelSDK.ExotelWebClient();
client.initWebrtc(info, (state, phone) => { states.push(state); }, (call, event) => { call.callDetails(); }, () => {});
client.DoRegister();
`

func run(t *testing.T, dir string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s %s:\n%s", name, strings.Join(args, " "), out)
	return string(out)
}

func TestPackedPackageBundlesAndRegisters(t *testing.T) {
	root := browser.RepoRoot(t)
	bin := filepath.Join(root, "node_modules", ".bin")
	for _, tool := range []string{"esbuild", "tsc"} {
		_, err := os.Stat(filepath.Join(bin, tool))
		require.NoError(t, err, "%s is missing: run npm ci (scripts/setup.sh does)", tool)
	}
	_, err := os.Stat(filepath.Join(root, "dist", "exotelsdk.wasm"))
	require.NoError(t, err, "build dist/ first")

	// Pack exactly what would be published.
	packDir := t.TempDir()
	out := run(t, root, "npm", "pack", "--ignore-scripts", "--pack-destination", packDir, "--loglevel=error")
	tarball := filepath.Join(packDir, strings.TrimSpace(out[strings.LastIndex(strings.TrimSpace(out), "\n")+1:]))
	listing := run(t, root, "tar", "tzf", tarball)
	for _, f := range []string{"package/dist/exotelsdk.js", "package/dist/exotelsdk.mjs", "package/dist/exotelsdk.wasm", "package/index.d.ts", "package/package.json"} {
		require.Contains(t, listing, f)
	}
	require.NotContains(t, listing, "package/sdk/", "Go sources are not published")

	// A fresh app installs the tarball, type-checks and bundles.
	appDir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(appDir, "package.json"), []byte(`{"name":"tiny-app","private":true}`), 0o644))
	run(t, appDir, "npm", "install", "--offline", "--no-audit", "--no-fund", "--loglevel=error", tarball)
	require.NoError(t, os.WriteFile(filepath.Join(appDir, "app.ts"), []byte(app), 0o644))
	run(t, appDir, filepath.Join(bin, "tsc"), "--noEmit", "--strict", "--target", "es2020", "--module", "esnext",
		"--moduleResolution", "bundler", "--lib", "es2020,dom", "app.ts")
	www := filepath.Join(appDir, "www")
	require.NoError(t, os.MkdirAll(www, 0o755))
	run(t, appDir, filepath.Join(bin, "esbuild"), "app.ts", "--bundle", "--format=iife", "--log-level=error", "--outfile=www/bundle.js")
	wasm, err := os.ReadFile(filepath.Join(appDir, "node_modules", "exotelsdk-go", "dist", "exotelsdk.wasm"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(www, "exotelsdk.wasm"), wasm, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(www, "index.html"),
		[]byte(`<!doctype html><meta charset="utf-8"><script src="bundle.js"></script>`), 0o644))

	// The bundle registers against the development server.
	pbx, err := devpbx.Start(devpbx.Config{Addr: "127.0.0.1:0", WebDir: filepath.Join(root, "web", "demo"), DistDir: filepath.Join(root, "dist")})
	require.NoError(t, err)
	t.Cleanup(func() { pbx.Close() })
	base := browser.ServeDir(t, www)
	u, _ := url.Parse(pbx.WSURL())
	account := `{"userName":"alice","authUser":"alice","secret":"pw-alice","sipdomain":"` + pbx.Domain() +
		`","domain":"` + u.Host + `","port":"` + u.Port() + `","security":"ws","endpoint":"` + strings.TrimPrefix(u.Path, "/") + `"}`
	page := browser.Launch(t, browser.Options{}).Open(t, base+"/index.html?"+url.Values{"account": {account}}.Encode())
	page.WaitUntil(t, `window.states && window.states.includes('registered')`, 15*time.Second)
	require.Empty(t, page.Exceptions())
}
