// Package npm tests the npm package as an app consumes it: `npm pack`, install
// the tarball into a fresh app, type-check a sample that uses every method
// against index.d.ts, build the same tiny app (testdata/app.js, a plain
// `import exotelSDK from 'exotelsdk-go'`) with esbuild, webpack 5, Vite and
// Rollup, and register from each bundle in headless Chromium against Kamailio.
package npm

import (
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/webphone/exotelsdk/tests/browser"
	"github.com/webphone/exotelsdk/tests/kamailio"
)

func run(t *testing.T, dir string, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s %s:\n%s", name, strings.Join(args, " "), out)
	return string(out)
}

var packed struct {
	once    sync.Once
	tarball string
	listing string
	err     error
}

// tarball packs exactly what would be published, once per test binary.
func tarball(t *testing.T) string {
	t.Helper()
	root := browser.RepoRoot(t)
	_, err := os.Stat(filepath.Join(root, "dist", "exotelsdk.wasm"))
	require.NoError(t, err, "build dist/ first")
	packed.once.Do(func() {
		dir, err := os.MkdirTemp("", "exotelsdk-pack-")
		if err != nil {
			packed.err = err
			return
		}
		cmd := exec.Command("npm", "pack", "--ignore-scripts", "--pack-destination", dir, "--loglevel=error")
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		if err != nil {
			packed.err = err
			return
		}
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		packed.tarball = filepath.Join(dir, lines[len(lines)-1])
		list, err := exec.Command("tar", "tzf", packed.tarball).Output()
		packed.listing, packed.err = string(list), err
	})
	require.NoError(t, packed.err)
	return packed.tarball
}

// newApp is a fresh app directory with the tarball installed and testdata/ copied in.
func newApp(t *testing.T) string {
	t.Helper()
	tgz := tarball(t)
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "package.json"), []byte(`{"name":"tiny-app","private":true}`), 0o644))
	run(t, dir, nil, "npm", "install", "--offline", "--no-audit", "--no-fund", "--loglevel=error", tgz)
	files, err := filepath.Glob("testdata/*")
	require.NoError(t, err)
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, filepath.Base(f)), b, 0o644))
	}
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "www"), 0o755))
	return dir
}

func tool(t *testing.T, name string) string {
	t.Helper()
	path := filepath.Join(browser.RepoRoot(t), "node_modules", name)
	_, err := os.Stat(path)
	require.NoError(t, err, "%s is missing: run npm ci (scripts/setup.sh does)", name)
	return path
}

func TestPackedPackageContents(t *testing.T) {
	tarball(t)
	for _, f := range []string{"package/dist/exotelsdk.js", "package/dist/exotelsdk.mjs", "package/dist/exotelsdk.wasm",
		"package/index.d.ts", "package/package.json", "package/LICENSE", "package/THIRD_PARTY_NOTICES", "package/CHANGELOG.md"} {
		assert.Contains(t, packed.listing, f)
	}
	assert.NotContains(t, packed.listing, "package/sdk/", "Go sources are not published")
	esm, err := os.ReadFile(filepath.Join(browser.RepoRoot(t), "dist", "exotelsdk.mjs"))
	require.NoError(t, err)
	assert.Contains(t, string(esm), "new URL('./exotelsdk.wasm', import.meta.url)", "the literal bundlers detect")
	assert.Contains(t, string(esm), "import './exotelsdk.js'", "the ESM re-exports the one loader")
	assert.Less(t, len(esm), 2000, "the ESM does not copy the loader")

	// THIRD_PARTY_NOTICES (scripts/third-party-notices.sh) names every module the wasm links.
	notices, err := os.ReadFile(filepath.Join(browser.RepoRoot(t), "THIRD_PARTY_NOTICES"))
	require.NoError(t, err)
	cmd := exec.Command("go", "list", "-deps", "-f", "{{if .Module}}{{if not .Module.Main}}{{.Module.Path}}@{{.Module.Version}}{{end}}{{end}}", "./wasm")
	cmd.Dir = browser.RepoRoot(t)
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	mods, err := cmd.Output()
	require.NoError(t, err)
	for _, m := range strings.Fields(string(mods)) {
		assert.Contains(t, string(notices), "\n"+m+"\n", "THIRD_PARTY_NOTICES lacks %s: run scripts/third-party-notices.sh", m)
	}
	assert.Contains(t, string(notices), "Go ", "Go's own license (runtime, wasm_exec.js)")
}

// The sample (every method of the API) compiles with tsc --strict against
// the published index.d.ts.
func TestPackedPackageTypesCompileStrict(t *testing.T) {
	tsc := tool(t, filepath.Join(".bin", "tsc"))
	dir := newApp(t)
	run(t, dir, nil, tsc, "--noEmit", "--strict", "--target", "es2020", "--module", "esnext",
		"--moduleResolution", "bundler", "--lib", "es2020,dom", "sample.ts")
}

// Each bundler builds testdata/app.js with no configuration beyond its
// entry and output; the page registers against Kamailio.
func TestPackedPackageInBundlers(t *testing.T) {
	root := browser.RepoRoot(t)
	nodeModules := filepath.Join(root, "node_modules")
	srv := kamailio.Start(t, kamailio.Options{})
	b := browser.Launch(t, browser.Options{})
	copyWasm := func(t *testing.T, dir string) {
		wasm, err := os.ReadFile(filepath.Join(dir, "node_modules", "exotelsdk-go", "dist", "exotelsdk.wasm"))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, "www", "exotelsdk.wasm"), wasm, 0o644))
	}
	classicPage := func(t *testing.T, dir string) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, "www", "index.html"),
			[]byte(`<!doctype html><meta charset="utf-8"><script src="bundle.js"></script>`), 0o644))
	}
	for _, bundler := range []struct {
		name string
		// build leaves the servable app in the returned directory.
		build func(t *testing.T, dir string) string
	}{
		{"esbuild", func(t *testing.T, dir string) string {
			// esbuild emits no asset for new URL(…, import.meta.url): the
			// wasm is copied beside the bundle, where the loader looks.
			run(t, dir, nil, tool(t, filepath.Join(".bin", "esbuild")), "app.js", "--bundle", "--format=iife",
				"--log-level=error", "--outfile=www/bundle.js")
			copyWasm(t, dir)
			classicPage(t, dir)
			return filepath.Join(dir, "www")
		}},
		{"webpack", func(t *testing.T, dir string) string {
			run(t, dir, []string{"WEBPACK=" + tool(t, "webpack")}, "node", "webpack.build.js")
			classicPage(t, dir)
			return filepath.Join(dir, "www")
		}},
		{"vite", func(t *testing.T, dir string) string {
			require.NoError(t, os.WriteFile(filepath.Join(dir, "index.html"),
				[]byte(`<!doctype html><meta charset="utf-8"><script type="module" src="./app.js"></script>`), 0o644))
			run(t, dir, nil, "node", filepath.Join(tool(t, "vite"), "bin", "vite.js"), "build", "--logLevel", "error")
			return filepath.Join(dir, "dist")
		}},
		{"rollup", func(t *testing.T, dir string) string {
			run(t, dir, []string{"NODE_MODULES=" + nodeModules}, "node", "rollup.build.js")
			copyWasm(t, dir)
			classicPage(t, dir)
			return filepath.Join(dir, "www")
		}},
	} {
		t.Run(bundler.name, func(t *testing.T) {
			dir := newApp(t)
			www := bundler.build(t, dir)
			noBuildPaths(t, www, dir, root)
			registersFrom(t, b, srv, browser.ServeDir(t, www))
		})
	}
}

// registersFrom opens base/index.html (testdata/app.js, however built) and
// checks that it registers, fetching the wasm once from base.
func registersFrom(t *testing.T, b *browser.Browser, srv *kamailio.Server, base string) {
	t.Helper()
	u, _ := url.Parse(srv.WSURL)
	account := `{"userName":"alice","authUser":"alice","secret":"` + kamailio.Password("alice") +
		`","sipdomain":"` + srv.Domain + `","domain":"` + u.Host + `","port":"` + u.Port() +
		`","security":"ws","endpoint":"` + strings.TrimPrefix(u.Path, "/") + `"}`
	page := b.Open(t, base+"/index.html?"+url.Values{"account": {account}}.Encode())
	page.WaitUntil(t, `window.result && (window.result.registered || window.result.error)`, 20*time.Second)
	var result struct {
		Registered bool
		Error      *string
		States     []string
		Connection []string
	}
	page.Eval(t, `window.result`, &result)
	require.Nil(t, result.Error)
	assert.True(t, result.Registered)
	assert.Equal(t, []string{"sent_request", "registered"}, result.States)
	assert.Equal(t, []string{"connecting", "connected"}, result.Connection)
	var wasm []string
	page.Eval(t, `performance.getEntriesByType('resource').map(e => e.name).filter(n => n.includes('.wasm'))`, &wasm)
	require.Len(t, wasm, 1, "the wasm is fetched once")
	assert.True(t, strings.HasPrefix(wasm[0], base+"/"), "the wasm comes from the app's server: %s", wasm[0])
	assert.Empty(t, page.Exceptions())
}

// Vite's dev server pre-bundles the package and serves the wasm from
// node_modules: the plain import works there too.
func TestPackedPackageInViteDevServer(t *testing.T) {
	dir := newApp(t)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "index.html"),
		[]byte(`<!doctype html><meta charset="utf-8"><script type="module" src="./app.js"></script>`), 0o644))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cmd := exec.Command("node", filepath.Join(tool(t, "vite"), "bin", "vite.js"), "--host", "127.0.0.1",
		"--port", strconv.Itoa(port), "--strictPort", "--logLevel", "error")
	cmd.Dir = dir
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("vite:\n%s", out.String())
		}
	})
	base := "http://127.0.0.1:" + strconv.Itoa(port)
	require.Eventually(t, func() bool {
		res, err := http.Get(base + "/index.html")
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == 200
	}, 60*time.Second, 100*time.Millisecond, "the Vite dev server did not start")
	srv := kamailio.Start(t, kamailio.Options{})
	registersFrom(t, browser.Launch(t, browser.Options{}), srv, base)
}

// noBuildPaths fails if a built file names the build machine's directories
// (the app's, or the repository's) or a file: URL.
func noBuildPaths(t *testing.T, www string, dirs ...string) {
	t.Helper()
	err := filepath.Walk(www, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() || !strings.HasSuffix(path, ".js") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, d := range dirs {
			assert.NotContains(t, string(b), d, "%s names a build directory", path)
		}
		assert.NotContains(t, string(b), "file:///", "%s holds a file: URL", path)
		return nil
	})
	require.NoError(t, err)
}
