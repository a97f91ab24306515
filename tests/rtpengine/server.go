// Package rtpengine starts a real rtpengine media relay for a Go test, in
// user space (no kernel module, no root) on loopback: the relay Kamailio's
// rtpengine module drives to bridge WebRTC (ICE, DTLS-SRTP, rtcp-mux) to
// plain RTP. It needs /usr/bin/rtpengine (Debian package rtpengine-daemon,
// installed with --no-install-recommends).
package rtpengine

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
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

// Binary is the rtpengine executable Start runs.
const Binary = "/usr/bin/rtpengine"

// Options configure a Server; the zero value is valid.
type Options struct {
	// Advertise, when set, is the address rtpengine writes into SDP instead
	// of 127.0.0.1, the one it binds (--interface=127.0.0.1!ADVERTISE): a
	// relay listening there on the same ports sees every media packet.
	Advertise string
	// Ports is how many media ports it may use; default 60.
	Ports int
}

// Server is one running rtpengine owned by a test.
type Server struct {
	NGAddr           string // 127.0.0.1:PORT of the ng control protocol (UDP)
	PortMin, PortMax int    // the media ports it allocates from, on 127.0.0.1

	logPath string
	mu      sync.Mutex
	cmd     *exec.Cmd
	done    chan struct{}
}

// Available reports whether rtpengine is installed.
func Available() error {
	if _, err := os.Stat(Binary); err != nil {
		return fmt.Errorf("rtpengine not installed (apt-get install --no-install-recommends rtpengine-daemon): %w", err)
	}
	return nil
}

// Start runs rtpengine in the foreground on free loopback ports and waits
// until it answers an ng ping. It is killed when the test ends; if the test
// failed, the tail of its log is written with t.Log.
func Start(t testing.TB, opt Options) *Server {
	t.Helper()
	if err := Available(); err != nil {
		t.Fatal(err)
	}
	if opt.Ports <= 0 {
		opt.Ports = 60
	}
	dir := t.TempDir()
	s := &Server{logPath: filepath.Join(dir, "rtpengine.log")}
	t.Cleanup(func() {
		s.Stop()
		if t.Failed() {
			t.Logf("rtpengine log tail (%s):\n%s", s.logPath, s.LogTail(60))
		}
	})
	var lastErr error
	for attempt := 0; attempt < 8; attempt++ {
		ng, err := freeUDPPort()
		if err != nil {
			t.Fatal(err)
		}
		var also []string
		if opt.Advertise != "" {
			also = append(also, opt.Advertise)
		}
		min, err := freeUDPRange(opt.Ports, also...)
		if err != nil {
			t.Fatal(err)
		}
		s.NGAddr = fmt.Sprintf("127.0.0.1:%d", ng)
		s.PortMin, s.PortMax = min, min+opt.Ports-1
		iface := "127.0.0.1"
		if opt.Advertise != "" {
			iface += "!" + opt.Advertise
		}
		if lastErr = s.launch(dir, iface); lastErr == nil {
			return s
		}
		s.Stop()
	}
	t.Fatalf("rtpengine did not start: %v\nlog tail:\n%s", lastErr, s.LogTail(40))
	return nil
}

func (s *Server) launch(dir, iface string) error {
	logf, err := os.OpenFile(s.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logf.Close()
	cmd := exec.Command(Binary,
		"--interface="+iface,
		"--listen-ng="+s.NGAddr,
		"--foreground", "--log-stderr", "--log-level=6",
		"--table=-1", // user space forwarding: no kernel module
		fmt.Sprintf("--port-min=%d", s.PortMin), fmt.Sprintf("--port-max=%d", s.PortMax),
		"--pidfile="+filepath.Join(dir, "rtpengine.pid"),
		"--delete-delay=0",
		"--num-threads=2",
	)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", Binary, err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	s.mu.Lock()
	s.cmd, s.done = cmd, done
	s.mu.Unlock()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-done:
			return errors.New("rtpengine exited during startup")
		default:
		}
		if err = s.Ping(300 * time.Millisecond); err == nil {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("no ng answer: %w", err)
}

// Ping sends an ng "ping" and returns nil when rtpengine answers "pong".
func (s *Server) Ping(timeout time.Duration) error {
	reply, err := s.Command("d7:command4:pinge", timeout)
	if err != nil {
		return err
	}
	if !strings.Contains(reply, "pong") {
		return fmt.Errorf("ping answered %q", reply)
	}
	return nil
}

// Command sends one bencoded ng message and returns the bencoded reply.
func (s *Server) Command(bencoded string, timeout time.Duration) (string, error) {
	conn, err := net.Dial("udp4", s.NGAddr)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(timeout))
	cookie := fmt.Sprintf("%08x", rand.Uint32())
	if _, err := conn.Write([]byte(cookie + " " + bencoded)); err != nil {
		return "", err
	}
	buf := make([]byte, 65536)
	n, err := conn.Read(buf)
	if err != nil {
		return "", err
	}
	reply, ok := bytes.CutPrefix(buf[:n], []byte(cookie+" "))
	if !ok {
		return "", fmt.Errorf("reply with another cookie: %q", buf[:n])
	}
	return string(reply), nil
}

// Stop kills rtpengine. It is safe to call more than once.
func (s *Server) Stop() {
	s.mu.Lock()
	cmd, done := s.cmd, s.done
	s.cmd = nil
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	<-done
}

// LogTail returns the last n lines of rtpengine's log.
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

func freeUDPPort() (int, error) {
	c, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port, nil
}

// freeUDPRange finds n consecutive UDP ports, starting at an even one, that
// are free right now on 127.0.0.1 and on each of hosts (rtpengine puts RTP
// on even ports; a LossyRelay binds the same numbers on the advertised
// address). They lie below Linux's ephemeral range (32768 and up), where
// any socket bound to port 0 in this machine's other tests and browsers may
// land, and take one of the numbers between this check and their use.
func freeUDPRange(n int, hosts ...string) (int, error) {
	const low, ephemeral = 20000, 32768
	hosts = append([]string{"127.0.0.1"}, hosts...)
	for try := 0; try < 50; try++ {
		base := low + 2*rand.IntN((ephemeral-low-n)/2)
		var held []net.PacketConn
		ok := true
		for p := base; p < base+n && ok; p++ {
			for _, host := range hosts {
				c, err := net.ListenPacket("udp4", fmt.Sprintf("%s:%d", host, p))
				if err != nil {
					ok = false
					break
				}
				held = append(held, c)
			}
		}
		for _, c := range held {
			c.Close()
		}
		if ok {
			return base, nil
		}
	}
	return 0, errors.New("no free UDP port range")
}
