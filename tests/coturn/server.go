// Package coturn starts a real STUN/TURN server for a Go test: Debian's
// coturn (`turnserver`, package coturn) on a free loopback port, with a
// static long-term-credential TURN user, its config and database in
// t.TempDir(), killed when the test ends.
//
// On loopback the address a STUN server sees is the browser's own host
// address, and Chromium drops a server-reflexive candidate that repeats a
// host candidate. Server.NATAddr is therefore a small user-space NAT in front
// of coturn: each client gets its own outside port, so coturn reports a
// mapped address that differs from the host one, as behind a home router.
package coturn

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"text/template"
	"time"
)

// Binary is the coturn executable Start runs.
const Binary = "/usr/bin/turnserver"

// Options configure a Server; the zero value is valid.
type Options struct {
	User     string // TURN user name; default "diag"
	Password string // TURN password; default "diag-pass"
	Realm    string // default "exotelsdk.test"
}

// Server is one running coturn owned by a test.
type Server struct {
	Addr     string // 127.0.0.1:PORT, STUN and TURN over UDP and TCP
	NATAddr  string // 127.0.0.1:PORT of a port-mapping NAT in front of Addr (UDP only)
	User     string
	Password string
	Realm    string

	dir     string
	logPath string
	nat     *natForwarder

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
}

// STUNURL is the stun: URL of the server, direct or through the NAT.
func (s *Server) STUNURL(throughNAT bool) string { return "stun:" + s.addr(throughNAT) }

// TURNURL is the turn: URL (UDP transport unless transport is "tcp").
func (s *Server) TURNURL(throughNAT bool, transport string) string {
	u := "turn:" + s.addr(throughNAT)
	if transport != "" {
		u += "?transport=" + transport
	}
	return u
}

func (s *Server) addr(throughNAT bool) string {
	if throughNAT {
		return s.NATAddr
	}
	return s.Addr
}

var configTemplate = template.Must(template.New("turnserver.conf").Parse(`# written by tests/coturn for one test
listening-ip=127.0.0.1
relay-ip=127.0.0.1
listening-port={{.Port}}
min-port={{.MinPort}}
max-port={{.MaxPort}}
realm={{.Realm}}
lt-cred-mech
user={{.User}}:{{.Password}}
userdb={{.Dir}}/turndb
pidfile={{.Dir}}/turnserver.pid
log-file={{.Dir}}/turnserver.log
simple-log
no-stdout-log
no-tls
no-dtls
no-cli
no-rfc5780
allow-loopback-peers
no-software-attribute
`))

// Start writes a config into t.TempDir(), starts turnserver in the
// foreground on a free loopback port, waits until it answers a STUN binding
// request, and starts the NAT in front of it. A missing coturn fails the
// test: CI installs it.
func Start(t testing.TB, opt Options) *Server {
	t.Helper()
	if _, err := os.Stat(Binary); err != nil {
		t.Fatalf("coturn is not installed at %s (apt-get install coturn): %v", Binary, err)
	}
	if opt.User == "" {
		opt.User = "diag"
	}
	if opt.Password == "" {
		opt.Password = "diag-pass"
	}
	if opt.Realm == "" {
		opt.Realm = "exotelsdk.test"
	}
	s := &Server{User: opt.User, Password: opt.Password, Realm: opt.Realm, dir: t.TempDir()}
	s.logPath = filepath.Join(s.dir, "turnserver.log")
	t.Cleanup(func() {
		s.Stop()
		if t.Failed() {
			b, _ := os.ReadFile(s.logPath)
			lines := strings.Split(string(b), "\n")
			if len(lines) > 60 {
				lines = lines[len(lines)-60:]
			}
			t.Logf("coturn log tail (%s):\n%s", s.logPath, strings.Join(lines, "\n"))
		}
	})
	var lastErr error
	for attempt := 0; attempt < 5; attempt++ {
		port, err := freePort()
		if err != nil {
			t.Fatalf("coturn: pick a port: %v", err)
		}
		if lastErr = s.launch(port, opt); lastErr == nil {
			break
		}
		s.Stop() // the port may have been taken meanwhile: retry with another
	}
	if lastErr != nil {
		t.Fatalf("coturn did not start: %v", lastErr)
	}
	nat, err := startNAT(s.Addr)
	if err != nil {
		t.Fatalf("coturn: start the NAT: %v", err)
	}
	s.nat = nat
	s.NATAddr = nat.addr()
	return s
}

func (s *Server) launch(port int, opt Options) error {
	var cfg bytes.Buffer
	// Relay ports: a band of 200 above the listening port keeps parallel
	// servers apart.
	minPort := 20000 + (port*7)%40000
	err := configTemplate.Execute(&cfg, map[string]any{
		"Port": port, "MinPort": minPort, "MaxPort": minPort + 200,
		"Realm": opt.Realm, "User": opt.User, "Password": opt.Password, "Dir": s.dir,
	})
	if err != nil {
		return err
	}
	cfgPath := filepath.Join(s.dir, "turnserver.conf")
	if err := os.WriteFile(cfgPath, cfg.Bytes(), 0o600); err != nil {
		return err
	}
	cmd := exec.Command(Binary, "-c", cfgPath)
	cmd.Dir = s.dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", Binary, err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	s.mu.Lock()
	s.cmd, s.done = cmd, done
	s.Addr = fmt.Sprintf("127.0.0.1:%d", port)
	s.mu.Unlock()

	deadline := time.Now().Add(10 * time.Second)
	for {
		select {
		case <-done:
			return fmt.Errorf("turnserver exited at start (see %s)", s.logPath)
		default:
		}
		if err := Probe(s.Addr, 200*time.Millisecond); err == nil {
			return nil
		} else if time.Now().After(deadline) {
			return fmt.Errorf("turnserver does not answer STUN on %s: %w", s.Addr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Stop kills coturn (and closes the NAT); it is safe to call more than once.
func (s *Server) Stop() {
	s.mu.Lock()
	cmd, done, nat := s.cmd, s.done, s.nat
	s.cmd, s.nat = nil, nil
	s.mu.Unlock()
	if nat != nil {
		nat.close()
	}
	if cmd == nil {
		return
	}
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	<-done
}

// LogPath is coturn's log file.
func (s *Server) LogPath() string { return s.logPath }

// freePort finds a port free for both UDP and TCP on 127.0.0.1.
func freePort() (int, error) {
	for i := 0; i < 20; i++ {
		pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
		if err != nil {
			return 0, err
		}
		port := pc.LocalAddr().(*net.UDPAddr).Port
		ln, err := net.Listen("tcp4", fmt.Sprintf("127.0.0.1:%d", port))
		pc.Close()
		if err != nil {
			continue
		}
		ln.Close()
		return port, nil
	}
	return 0, fmt.Errorf("no port free for both UDP and TCP")
}
