// Package baresip starts a real plain-SIP softphone, baresip, for a Go test:
// registered over UDP, sending a sine tone (ausine), recording what it hears
// (sndfile), and driven over ctrl_tcp (netstring-framed JSON commands and
// events). It needs /usr/bin/baresip (Debian package baresip-core).
package baresip

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Binary is the baresip executable Start runs.
const Binary = "/usr/bin/baresip"

// ModulePath is where Debian installs baresip's modules.
const ModulePath = "/usr/lib/baresip/modules"

// Options configure a Phone.
type Options struct {
	User     string // SIP user; default "baresip"
	Domain   string // SIP domain (AOR and realm)
	Password string // digest password
	Proxy    string // host:port of the registrar/proxy over UDP (outbound proxy)
	ToneHz   int    // frequency of the tone it sends; default 440
	// AutoAnswer answers incoming calls at once (answermode=auto); by
	// default they ring until Accept.
	AutoAnswer bool
}

// Available reports whether baresip and the modules the tests use are installed.
func Available() error {
	if _, err := os.Stat(Binary); err != nil {
		return fmt.Errorf("baresip not installed (apt-get install baresip-core): %w", err)
	}
	for _, m := range modules {
		if _, err := os.Stat(filepath.Join(ModulePath, m+".so")); err != nil {
			return fmt.Errorf("baresip module %s missing (apt-get install baresip-core): %w", m, err)
		}
	}
	return nil
}

var modules = []string{"g711", "ausine", "aubridge", "sndfile", "account", "menu", "ctrl_tcp"}

// Phone is one running baresip owned by a test.
type Phone struct {
	AOR      string // sip:user@domain
	SIPAddr  string // 127.0.0.1:PORT it listens on for SIP/UDP
	RecordTo string // directory sndfile writes its recordings to

	dir     string
	logPath string
	cmd     *exec.Cmd
	done    chan struct{}
	ctrl    *control
	account string // the account line, with its password
}

// Start writes a config into a temporary directory, starts baresip on free
// loopback ports, connects to its ctrl_tcp and waits until it has
// registered. It is killed when the test ends; if the test failed, the tail
// of its log is written with t.Log.
func Start(t testing.TB, opt Options) *Phone {
	t.Helper()
	if err := Available(); err != nil {
		t.Fatal(err)
	}
	if opt.User == "" {
		opt.User = "baresip"
	}
	if opt.ToneHz == 0 {
		opt.ToneHz = 440
	}
	dir := t.TempDir()
	p := &Phone{AOR: "sip:" + opt.User + "@" + opt.Domain, dir: dir, logPath: filepath.Join(dir, "baresip.log"),
		RecordTo: filepath.Join(dir, "recordings")}
	t.Cleanup(func() {
		p.Stop()
		if t.Failed() {
			t.Logf("baresip log tail (%s):\n%s", p.logPath, p.LogTail(80))
		}
	})
	if err := os.MkdirAll(p.RecordTo, 0o755); err != nil {
		t.Fatal(err)
	}
	var lastErr error
	for attempt := 0; attempt < 5; attempt++ {
		sipPort, ctrlPort, err := freePorts()
		if err != nil {
			t.Fatal(err)
		}
		p.SIPAddr = fmt.Sprintf("127.0.0.1:%d", sipPort)
		if err := p.writeConfig(opt, sipPort, ctrlPort); err != nil {
			t.Fatal(err)
		}
		if lastErr = p.launch(ctrlPort); lastErr == nil {
			break
		}
		p.Stop()
	}
	if lastErr != nil {
		t.Fatalf("baresip did not start: %v\nlog tail:\n%s", lastErr, p.LogTail(40))
	}
	// The account is added over ctrl_tcp, not from the accounts file, so
	// that its registration's events cannot pass before we listen.
	if _, err := p.ctrl.command("uanew", p.account, commandTimeout); err != nil {
		t.Fatalf("baresip: add the account: %v", err)
	}
	if _, err := p.WaitEvent("REGISTER_OK", 15*time.Second); err != nil {
		t.Fatalf("baresip did not register: %v\nlog tail:\n%s", err, p.LogTail(40))
	}
	return p
}

// writeConfig writes config and accounts for the given ports.
func (p *Phone) writeConfig(opt Options, sipPort, ctrlPort int) error {
	answer := "manual"
	if opt.AutoAnswer {
		answer = "auto"
	}
	var cfg strings.Builder
	fmt.Fprintf(&cfg, "poll_method\tepoll\n")
	fmt.Fprintf(&cfg, "sip_listen\t127.0.0.1:%d\n", sipPort)
	fmt.Fprintf(&cfg, "net_interface\t127.0.0.1\n")
	fmt.Fprintf(&cfg, "audio_player\taubridge,nil\n")
	fmt.Fprintf(&cfg, "audio_alert\taubridge,nil\n")
	fmt.Fprintf(&cfg, "audio_source\tausine,%d\n", opt.ToneHz)
	fmt.Fprintf(&cfg, "ausrc_channels\t2\n")
	fmt.Fprintf(&cfg, "ausrc_srate\t48000\n") // ausine makes 48 kHz stereo only
	fmt.Fprintf(&cfg, "rtp_stats\tyes\n")
	fmt.Fprintf(&cfg, "module_path\t%s\n", ModulePath)
	for _, m := range modules {
		if m == "account" || m == "menu" || m == "ctrl_tcp" {
			fmt.Fprintf(&cfg, "module_app\t%s.so\n", m)
		} else {
			fmt.Fprintf(&cfg, "module\t%s.so\n", m)
		}
	}
	fmt.Fprintf(&cfg, "ctrl_tcp_listen\t127.0.0.1:%d\n", ctrlPort)
	fmt.Fprintf(&cfg, "snd_path\t%s\n", p.RecordTo)
	fmt.Fprintf(&cfg, "sip_trans_def\tudp\n")
	p.account = fmt.Sprintf("<sip:%s@%s;transport=udp>;auth_pass=%s;outbound=\"sip:%s;transport=udp\";regint=300;answermode=%s;audio_codecs=PCMU,PCMA",
		opt.User, opt.Domain, opt.Password, opt.Proxy, answer)
	if err := os.WriteFile(filepath.Join(p.dir, "config"), []byte(cfg.String()), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(p.dir, "accounts"), nil, 0o600); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(p.dir, "contacts"), nil, 0o644)
}

func (p *Phone) launch(ctrlPort int) error {
	logf, err := os.OpenFile(p.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logf.Close()
	cmd := exec.Command(Binary, "-f", p.dir, "-v")
	cmd.Dir = p.dir
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.Env = append(os.Environ(), "HOME="+p.dir)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	// baresip reads commands from stdin too; an open pipe keeps it from
	// seeing end of file and quitting.
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", Binary, err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); _ = stdin.Close(); close(done) }()
	p.cmd, p.done = cmd, done
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-done:
			return errors.New("baresip exited during startup")
		default:
		}
		conn, err := net.DialTimeout("tcp4", fmt.Sprintf("127.0.0.1:%d", ctrlPort), 300*time.Millisecond)
		if err == nil {
			p.ctrl = newControl(conn)
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return errors.New("ctrl_tcp never accepted a connection")
}

// Stop kills baresip. It is safe to call more than once.
func (p *Phone) Stop() {
	if p.ctrl != nil {
		p.ctrl.close()
	}
	if p.cmd == nil {
		return
	}
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
	<-p.done
	p.cmd = nil
}

// LogTail returns the last n lines of baresip's output.
func (p *Phone) LogTail(n int) string {
	f, err := os.Open(p.logPath)
	if err != nil {
		return fmt.Sprintf("(no log: %v)", err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if len(lines) > n {
			lines = lines[1:]
		}
	}
	return strings.Join(lines, "\n")
}

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
