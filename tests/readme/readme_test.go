// Package readme proves the README: its two commands are the ones the
// project runs, and the first one really installs, builds and serves a demo
// that registers.
package readme

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/webphone/exotelsdk/tests/browser"
)

// commands lists the shell commands in the README's fenced ```sh blocks of
// its "Try it" section.
func commands(t *testing.T, readme string) []string {
	i := strings.Index(readme, "## Try it")
	require.GreaterOrEqual(t, i, 0, "README has a Try it section")
	section := readme[i+len("## Try it"):]
	if j := strings.Index(section, "\n## "); j >= 0 {
		section = section[:j]
	}
	var out []string
	for _, m := range regexp.MustCompile("(?s)```sh\n(.*?)```").FindAllStringSubmatch(section, -1) {
		for _, line := range strings.Split(strings.TrimSpace(m[1]), "\n") {
			if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
				out = append(out, line)
			}
		}
	}
	return out
}

func TestReadmeCommandsAreTheProjectsOwn(t *testing.T) {
	root := browser.RepoRoot(t)
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	require.NoError(t, err)
	assert.Equal(t, []string{"npm run demo", "npm test"}, commands(t, string(readme)), "exactly two commands")

	var pkg struct{ Scripts map[string]string }
	b, err := os.ReadFile(filepath.Join(root, "package.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &pkg))
	assert.Equal(t, "bash scripts/demo.sh", pkg.Scripts["demo"])
	assert.Equal(t, "bash scripts/test.sh", pkg.Scripts["test"])
	ci, err := os.ReadFile(filepath.Join(root, ".ci", "run"))
	require.NoError(t, err)
	assert.Contains(t, string(ci), "bash scripts/test.sh", "CI runs the README's test command")
	assert.Contains(t, string(readme), "docs/api.md")
}

// The README's first command, as a newcomer runs it: it installs the npm
// tools (and no system package), builds, starts the development server and
// prints the URL; the demo page there registers when its Register button
// is clicked.
func TestDemoCommandServesARegisteringDemo(t *testing.T) {
	root := browser.RepoRoot(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	ln.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "npm", "run", "demo", "--", "-addr", addr)
	cmd.Dir = root
	// The demo needs only Go and Node: apt-get and sudo here only record
	// that they were called.
	shims := t.TempDir()
	called := filepath.Join(shims, "called")
	for _, name := range []string{"apt-get", "sudo", "brew"} {
		script := "#!/bin/sh\necho " + name + " \"$@\" >> " + called + "\nexit 1\n"
		require.NoError(t, os.WriteFile(filepath.Join(shims, name), []byte(script), 0o755))
	}
	cmd.Env = append(os.Environ(), "PATH="+shims+string(os.PathListSeparator)+os.Getenv("PATH"))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = cmd.Stdout
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); _ = cmd.Wait() })

	url := make(chan string, 1)
	var log strings.Builder
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			log.WriteString(line + "\n")
			if m := regexp.MustCompile(`Demo softphone:\s+(http://\S+)`).FindStringSubmatch(line); m != nil {
				url <- m[1]
			}
		}
	}()
	var demo string
	select {
	case demo = <-url:
	case <-ctx.Done():
		t.Fatalf("npm run demo printed no URL:\n%s", log.String())
	}
	assert.Equal(t, fmt.Sprintf("http://%s/", addr), demo)
	_, err = os.Stat(called)
	assert.True(t, os.IsNotExist(err), "npm run demo installs nothing with apt-get, sudo or brew")

	page := browser.Launch(t, browser.Options{}).Open(t, demo)
	page.WaitUntil(t, `!document.getElementById('register').disabled`, time.Minute)
	page.Click(t, "#register")
	page.WaitUntil(t, `document.getElementById('regState').textContent === 'registered'`, 20*time.Second)
	assert.Empty(t, page.Exceptions())
}
