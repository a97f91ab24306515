// Package kamailio starts a real Kamailio SIP server for a Go test: a
// registrar and proxy on 127.0.0.1 reachable over SIP/UDP and SIP over
// WebSocket, with digest authentication (password "pw-" + user), the
// WebRTC NAT handling browsers need, and JSON-RPC to read its location
// table. It needs /usr/sbin/kamailio and the websocket module (Debian
// packages kamailio and kamailio-websocket-modules).
package kamailio

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Binary is the Kamailio executable Start runs.
const Binary = "/usr/sbin/kamailio"

// ModulePath is where Debian installs Kamailio modules.
const ModulePath = "/usr/lib/x86_64-linux-gnu/kamailio/modules"

// Options configure a Server; the zero value is valid.
type Options struct {
	Domain     string // SIP domain and digest realm; default "example.test"
	Algorithm  string // digest algorithm challenged with: "MD5" (default) or "SHA-256"
	MinExpires int    // shorter REGISTER expiries get 423 Interval Too Brief; default 10
	MaxExpires int    // longer expiries are lowered to this; default 3600
	// DropContactsOnDisconnect removes a WebSocket client's contacts as soon
	// as its connection closes (usrloc handle_lost_tcp). By default they
	// stay until they expire, and INVITEs to them fail at once with 500.
	DropContactsOnDisconnect bool
	// RTPEngine is the ng address (127.0.0.1:PORT) of an rtpengine that
	// relays the media of every call (tests/rtpengine starts one): the
	// production path between browsers and plain SIP phones.
	RTPEngine string
}

// Server is one running Kamailio owned by a test.
type Server struct {
	WSURL   string // ws://127.0.0.1:PORT/ (any path works)
	UDPAddr string // 127.0.0.1:PORT for SIP over UDP
	Domain  string // SIP domain and realm users register in
	RPCURL  string // http://127.0.0.1:PORT/RPC, Kamailio's JSON-RPC endpoint

	dir     string // temp dir with config, log, runtime files
	cfgPath string
	logPath string
	udpPort int
	wsPort  int

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{} // closed when cmd has been waited for
}

// Password returns the password the generated config accepts for user.
func Password(user string) string { return "pw-" + user }

// Available reports whether Kamailio and its websocket module are installed.
// Tests should t.Fatal (not skip) when it returns an error.
func Available() error {
	if _, err := os.Stat(Binary); err != nil {
		return fmt.Errorf("kamailio not installed (apt-get install kamailio kamailio-websocket-modules): %w", err)
	}
	for _, m := range []string{"websocket.so", "xhttp.so", "jsonrpcs.so", "nathelper.so", "auth.so"} {
		if _, err := os.Stat(filepath.Join(ModulePath, m)); err != nil {
			return fmt.Errorf("kamailio module %s missing (apt-get install kamailio-websocket-modules kamailio-extra-modules): %w", m, err)
		}
	}
	return nil
}

// Start writes a config into t.TempDir(), starts Kamailio in the foreground
// on free loopback ports and waits until it answers SIP OPTIONS over UDP and
// accepts a WebSocket upgrade. It is killed when the test ends; if the test
// failed, the tail of Kamailio's log is written with t.Log.
func Start(t testing.TB, opt Options) *Server {
	t.Helper()
	if err := Available(); err != nil {
		t.Fatal(err)
	}
	if opt.Domain == "" {
		opt.Domain = "example.test"
	}
	alg := strings.ToUpper(opt.Algorithm)
	switch alg {
	case "", "MD5":
		alg = ""
	case "SHA-256":
	default:
		t.Fatalf("kamailio: unsupported digest algorithm %q", opt.Algorithm)
	}
	if opt.MinExpires <= 0 {
		opt.MinExpires = 10
	}
	if opt.MaxExpires <= 0 {
		opt.MaxExpires = 3600
	}
	s := &Server{Domain: opt.Domain, dir: t.TempDir()}
	s.cfgPath = filepath.Join(s.dir, "kamailio.cfg")
	s.logPath = filepath.Join(s.dir, "kamailio.log")
	t.Cleanup(func() {
		s.Stop()
		if t.Failed() {
			t.Logf("kamailio log tail (%s):\n%s", s.logPath, s.LogTail(80))
		}
	})

	var lastErr error
	for attempt := 0; attempt < 5; attempt++ {
		udp, ws, err := freePorts()
		if err != nil {
			t.Fatalf("kamailio: pick ports: %v", err)
		}
		s.setPorts(udp, ws)
		cfg, err := renderConfig(configParams{
			Domain: opt.Domain, Algorithm: alg, UDPPort: udp, WSPort: ws,
			MinExpires: opt.MinExpires, MaxExpires: opt.MaxExpires, ModPath: ModulePath,
			DropOnDisconnect: opt.DropContactsOnDisconnect, RTPEngine: opt.RTPEngine,
		})
		if err != nil {
			t.Fatalf("kamailio: render config: %v", err)
		}
		if err := os.WriteFile(s.cfgPath, []byte(cfg), 0o644); err != nil {
			t.Fatal(err)
		}
		if lastErr = s.launch(); lastErr == nil {
			return s
		}
		s.Stop() // ports may have been taken between picking and binding: retry
	}
	t.Fatalf("kamailio did not start: %v\nlog tail:\n%s", lastErr, s.LogTail(60))
	return nil
}

// Restart starts Kamailio again on the same ports with the same config and
// an empty location table (usrloc is in memory), after Stop or a crash.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	s.Stop()
	deadline := time.Now().Add(10 * time.Second)
	var err error
	for time.Now().Before(deadline) {
		if err = portsFree(s.udpPort, s.wsPort); err == nil {
			if err = s.launch(); err == nil {
				return
			}
			s.Stop()
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("kamailio restart failed: %v\nlog tail:\n%s", err, s.LogTail(60))
}

// Stop kills Kamailio and all its worker processes (SIGKILL), closing every
// connection abruptly. It is safe to call more than once.
func (s *Server) Stop() {
	s.mu.Lock()
	cmd, done := s.cmd, s.done
	s.cmd = nil
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	// Workers share the main process's group (Setpgid), so kill the group.
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	<-done
	// Workers die asynchronously (and may linger as zombies, which hold no
	// sockets): wait until both ports are released.
	for i := 0; i < 100 && portsFree(s.udpPort, s.wsPort) != nil; i++ {
		time.Sleep(10 * time.Millisecond)
	}
}

// Running reports whether the Kamailio process started by Start or Restart
// is still alive.
func (s *Server) Running() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return false
	}
	select {
	case <-s.done:
		return false
	default:
		return true
	}
}

// LogPath is the file Kamailio's stderr log is appended to.
func (s *Server) LogPath() string { return s.logPath }

// LogTail returns the last n lines of Kamailio's log.
func (s *Server) LogTail(n int) string {
	b, err := os.ReadFile(s.logPath)
	if err != nil {
		return fmt.Sprintf("(no log: %v)", err)
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func (s *Server) setPorts(udp, ws int) {
	s.udpPort, s.wsPort = udp, ws
	s.UDPAddr = fmt.Sprintf("127.0.0.1:%d", udp)
	s.WSURL = fmt.Sprintf("ws://127.0.0.1:%d/", ws)
	s.RPCURL = fmt.Sprintf("http://127.0.0.1:%d/RPC", ws)
}

// launch starts the process and waits for readiness.
func (s *Server) launch() error {
	logf, err := os.OpenFile(s.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logf.Close()
	fmt.Fprintf(logf, "=== %s starting kamailio udp=%d ws=%d\n", time.Now().Format(time.RFC3339Nano), s.udpPort, s.wsPort)

	runDir := filepath.Join(s.dir, "run")
	if err := os.MkdirAll(runDir, 0o755); err != nil {
		return err
	}
	cmd := exec.Command(Binary,
		"-f", s.cfgPath,
		"-DD", "-E", // stay in the foreground, log to stderr
		"-m", "64", "-M", "8", // MB of shared / private memory
		"-Y", runDir,
		"-P", filepath.Join(runDir, "kamailio.pid"),
		"-w", s.dir,
	)
	cmd.Dir = s.dir
	cmd.Stdout = logf
	cmd.Stderr = logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", Binary, err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	s.mu.Lock()
	s.cmd, s.done = cmd, done
	s.mu.Unlock()
	return s.waitReady(done, 15*time.Second)
}

// waitReady polls until OPTIONS over UDP and a WebSocket upgrade succeed.
func (s *Server) waitReady(exited <-chan struct{}, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	var err error
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return errors.New("kamailio exited during startup")
		default:
		}
		if err = s.Ping(500 * time.Millisecond); err == nil {
			if err = s.probeWebSocket(time.Second); err == nil {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("not ready after %v: %w", timeout, err)
}

// freePorts returns a UDP port and a TCP port currently free on 127.0.0.1.
func freePorts() (udp, tcp int, err error) {
	uc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		return 0, 0, err
	}
	defer uc.Close()
	tl, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		return 0, 0, err
	}
	defer tl.Close()
	return uc.LocalAddr().(*net.UDPAddr).Port, tl.Addr().(*net.TCPAddr).Port, nil
}

// portsFree reports an error unless both ports can be bound on 127.0.0.1.
func portsFree(udp, tcp int) error {
	uc, err := net.ListenPacket("udp4", fmt.Sprintf("127.0.0.1:%d", udp))
	if err != nil {
		return err
	}
	uc.Close()
	tl, err := net.Listen("tcp4", fmt.Sprintf("127.0.0.1:%d", tcp))
	if err != nil {
		return err
	}
	tl.Close()
	return nil
}
