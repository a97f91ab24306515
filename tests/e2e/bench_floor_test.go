package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/webphone/exotelsdk/tests/browser"
	"github.com/webphone/exotelsdk/tests/kamailio"
)

// goFloor is the start-up benchmark's third column: an empty Go program
// (tests/e2e/testdata/gofloor), loaded as the SDK loads its wasm. Its
// "registered" is when its main runs, so it registers nothing: it is what
// the Go toolchain's wasm costs before a line of SDK code runs.
var goFloor = benchSDK{
	name:         "empty Go",
	page:         func(*testing.T, *kamailio.Server) string { return "/tests/artifacts/gofloor/index.html" },
	registeredAt: `(window.goFloorMainAt === undefined ? -1 : goFloorMainAt)`,
}

// buildGoFloor builds the empty Go program into tests/artifacts/gofloor,
// with the SDK's own linker flags, beside its page and the toolchain's
// wasm_exec.js, and returns the wasm's size in bytes.
func buildGoFloor(b *testing.T) int64 {
	root := browser.RepoRoot(b)
	out := filepath.Join(root, "tests", "artifacts", "gofloor")
	require.NoError(b, os.MkdirAll(out, 0o755))
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", filepath.Join(out, "floor.wasm"), "./tests/e2e/testdata/gofloor")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	msg, err := cmd.CombinedOutput()
	require.NoError(b, err, "build the empty Go program: %s", msg)
	goroot, err := exec.Command("go", "env", "GOROOT").Output()
	require.NoError(b, err)
	for src, dst := range map[string]string{
		filepath.Join(strings.TrimSpace(string(goroot)), "lib", "wasm", "wasm_exec.js"): "wasm_exec.js",
		filepath.Join(root, "tests", "e2e", "testdata", "gofloor", "index.html"):        "index.html",
	} {
		raw, err := os.ReadFile(src)
		require.NoError(b, err)
		require.NoError(b, os.WriteFile(filepath.Join(out, dst), raw, 0o644))
	}
	st, err := os.Stat(filepath.Join(out, "floor.wasm"))
	require.NoError(b, err)
	return st.Size()
}
