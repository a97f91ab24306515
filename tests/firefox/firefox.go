// Package firefox drives Debian's Firefox ESR headless over WebDriver BiDi
// for the SDK's end-to-end tests in a second browser engine: it starts the
// browser with a fresh profile whose fake media devices (a 1 kHz tone as
// the microphone) need no permission prompt, opens tabs, evaluates
// JavaScript in them and records their uncaught exceptions. The pages and
// the servers are the Chromium tests' own (tests/pages, tests/kamailio,
// tests/farend).
package firefox

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Path is the browser the tests run; the test setup installs it from
// Debian (firefox-esr).
const Path = "/usr/bin/firefox-esr"

// prefs make a quiet, test-friendly profile: fake microphone and camera with
// no permission prompt, WebRTC over loopback with plain host candidates,
// autoplay allowed, and no start-up network traffic (updates, telemetry,
// safe browsing, first-run pages).
var prefs = map[string]any{
	"media.navigator.streams.fake":                      true,
	"media.navigator.permission.disabled":               true,
	"media.peerconnection.ice.loopback":                 true,
	"media.peerconnection.ice.obfuscate_host_addresses": false,
	"media.autoplay.default":                            0,
	"media.autoplay.blocking_policy":                    0,
	"app.update.disabledForTesting":                     true,
	"app.normandy.enabled":                              false,
	"browser.shell.checkDefaultBrowser":                 false,
	"browser.startup.homepage_override.mstone":          "ignore",
	"browser.startup.page":                              0,
	"browser.newtabpage.enabled":                        false,
	"browser.safebrowsing.malware.enabled":              false,
	"browser.safebrowsing.phishing.enabled":             false,
	"browser.safebrowsing.downloads.enabled":            false,
	"browser.safebrowsing.blockedURIs.enabled":          false,
	"datareporting.policy.dataSubmissionEnabled":        false,
	"datareporting.healthreport.uploadEnabled":          false,
	"toolkit.telemetry.enabled":                         false,
	"toolkit.telemetry.server":                          "https://127.0.0.1:1/",
	"extensions.update.enabled":                         false,
	"extensions.getAddons.cache.enabled":                false,
	"extensions.blocklist.enabled":                      false,
	"network.captive-portal-service.enabled":            false,
	"network.connectivity-service.enabled":              false,
	"browser.tabs.warnOnClose":                          false,
	"dom.disable_open_during_load":                      false,
	"remote.prefs.recommended":                          true,
	// Every service that would reach the internet points at a closed
	// loopback port, so nothing waits for DNS or a timeout.
	"services.settings.server":                           "http://127.0.0.1:1/",
	"messaging-system.rsexperimentloader.enabled":        false,
	"app.shield.optoutstudies.enabled":                   false,
	"browser.region.update.enabled":                      false,
	"browser.region.network.url":                         "",
	"browser.search.update":                              false,
	"browser.aboutwelcome.enabled":                       false,
	"captivedetect.canonicalURL":                         "",
	"extensions.systemAddon.update.enabled":              false,
	"geo.provider.network.url":                           "",
	"media.gmp-manager.url":                              "http://127.0.0.1:1/",
	"network.dns.disablePrefetch":                        true,
	"network.http.speculative-parallel-limit":            0,
	"browser.topsites.contile.enabled":                   false,
	"browser.newtabpage.activity-stream.feeds.telemetry": false,
	"toolkit.startup.max_resumed_crashes":                -1,
}

// Browser is one Firefox process and its BiDi session.
type Browser struct {
	cmd  *exec.Cmd
	conn *bidiConn
	done chan struct{}

	mu    sync.Mutex
	pages map[string]*Page // by browsing context id
	log   []string         // the browser's own stderr, for failures
}

var listening = regexp.MustCompile(`WebDriver BiDi listening on (ws://\S+)`)

// Launch starts Firefox ESR headless with a new profile; it is closed at
// cleanup. A missing browser fails the test: CI installs it.
func Launch(t testing.TB) *Browser {
	t.Helper()
	if _, err := os.Stat(Path); err != nil {
		t.Fatalf("Firefox ESR is not installed at %s (bash scripts/setup.sh test installs it): %v", Path, err)
	}
	profile := t.TempDir()
	var userJS strings.Builder
	for k, v := range prefs {
		b, _ := json.Marshal(v)
		fmt.Fprintf(&userJS, "user_pref(%q, %s);\n", k, b)
	}
	if err := os.WriteFile(filepath.Join(profile, "user.js"), []byte(userJS.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(Path, "--headless", "--no-remote", "--profile", profile, "--remote-debugging-port=0", "about:blank")
	cmd.Env = append(os.Environ(), "MOZ_CRASHREPORTER_DISABLE=1", "MOZ_DISABLE_AUTO_SAFE_MODE=1")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout = cmd.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start firefox: %v", err)
	}
	b := &Browser{cmd: cmd, done: make(chan struct{}), pages: map[string]*Page{}}
	go func() { _ = cmd.Wait(); close(b.done) }()
	t.Cleanup(func() { b.close(t) })

	endpoint := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			b.mu.Lock()
			b.log = append(b.log, line)
			if len(b.log) > 200 {
				b.log = b.log[1:]
			}
			b.mu.Unlock()
			if m := listening.FindStringSubmatch(line); m != nil {
				select {
				case endpoint <- m[1]:
				default:
				}
			}
		}
	}()
	// A cold start on a loaded machine takes tens of seconds.
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var url string
	select {
	case url = <-endpoint:
	case <-b.done:
		t.Fatalf("firefox exited before it listened for WebDriver BiDi:\n%s", b.stderr())
	case <-ctx.Done():
		t.Fatalf("firefox did not start WebDriver BiDi in time:\n%s", b.stderr())
	}
	ctx, cancel = context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	b.conn, err = dialBiDi(ctx, url+"/session", b.event)
	if err != nil {
		t.Fatalf("connect to firefox at %s: %v", url, err)
	}
	if err := b.conn.call(ctx, "session.new", map[string]any{"capabilities": map[string]any{}}, nil); err != nil {
		t.Fatal(err)
	}
	if err := b.conn.call(ctx, "session.subscribe", map[string]any{"events": []string{"log.entryAdded"}}, nil); err != nil {
		t.Fatal(err)
	}
	return b
}

// Version is the browser's version, e.g. "153.8.0esr".
func (b *Browser) Version(t testing.TB) string {
	t.Helper()
	out, err := exec.Command(Path, "--version").Output()
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(string(out))
	return f[len(f)-1]
}

// event routes the page's log entries (console and uncaught exceptions).
func (b *Browser) event(method string, params json.RawMessage) {
	if method != "log.entryAdded" {
		return
	}
	var e struct {
		Type   string `json:"type"`
		Level  string `json:"level"`
		Text   string `json:"text"`
		Source struct {
			Context string `json:"context"`
		} `json:"source"`
	}
	if json.Unmarshal(params, &e) != nil {
		return
	}
	b.mu.Lock()
	p := b.pages[e.Source.Context]
	b.mu.Unlock()
	if p != nil {
		p.record(e.Type, e.Level, e.Text)
	}
}

func (b *Browser) stderr() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.Join(b.log, "\n")
}

func (b *Browser) close(t testing.TB) {
	if t.Failed() {
		t.Logf("firefox stderr (last lines):\n%s", b.stderr())
	}
	if b.conn != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_ = b.conn.call(ctx, "browser.close", map[string]any{}, nil)
		cancel()
		_ = b.conn.close()
	}
	select {
	case <-b.done:
	case <-time.After(10 * time.Second):
	}
	// Content processes share the browser's process group.
	_ = syscall.Kill(-b.cmd.Process.Pid, syscall.SIGKILL)
	<-b.done
}
