package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/webphone/exotelsdk/tests/browser"
	"github.com/webphone/exotelsdk/tests/kamailio"
)

// bundleJsSIP builds JsSIP (a dev dependency) into one script for the
// comparison page, tests/artifacts/jssip.js.
func bundleJsSIP(b *testing.T) {
	root := browser.RepoRoot(b)
	out := filepath.Join(root, "tests", "artifacts", "jssip.js")
	require.NoError(b, os.MkdirAll(filepath.Dir(out), 0o755))
	cmd := exec.Command(filepath.Join(root, "node_modules", ".bin", "esbuild"), "node_modules/jssip/lib/JsSIP.js",
		"--bundle", "--minify", "--format=iife", "--global-name=JsSIP", "--log-level=error", "--outfile="+out)
	cmd.Dir = root
	msg, err := cmd.CombinedOutput()
	require.NoError(b, err, "bundle JsSIP (npm ci first): %s", msg)
}

func jssipAccount(b *testing.T, srv *kamailio.Server) string {
	a := account(b, srv, "alice")
	a["wsUrl"] = srv.WSURL + "ws"
	return js(b, a)
}
