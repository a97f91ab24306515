// Command devpbx is a development SIP server for trying the SDK without an
// Exotel account: it serves the demo softphone, the SDK build and SIP over
// WebSocket on one loopback port, with a registrar, a proxy and a call
// bot. Run it from the repository root (after `npm run build`) and open
// the URL it prints:
//
//	go run ./cmd/devpbx
//
// Flags:
//
//	-addr 127.0.0.1:8089   where to listen (HTTP and ws://…/ws)
//	-domain NAME           the SIP domain (default: the listen host)
//	-users a:pw,b:pw       the demo accounts (default alice, bob, carol with pw-NAME)
//	-strict                only those accounts; otherwise any NAME registers with pw-NAME
//	-web DIR, -dist DIR    the demo page and the SDK build
//	-open                  also open the demo in the default browser
//	-v, -sip-debug         debug log; every SIP message in the log
package main

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"

	"github.com/emiago/sipgo/sip"
	"github.com/webphone/exotelsdk/internal/devpbx"
)

func main() {
	addr := flag.String("addr", devpbx.DefaultAddr, "host:port for HTTP and SIP over WebSocket")
	domain := flag.String("domain", "", "SIP domain (default: the listen host)")
	users := flag.String("users", "", "demo accounts as user:password,… (default alice, bob, carol with pw-NAME)")
	strict := flag.Bool("strict", false, "accept only the -users accounts (otherwise any NAME registers with pw-NAME)")
	web := flag.String("web", "web/demo", "directory of the demo page")
	dist := flag.String("dist", "dist", "directory of the SDK build")
	open := flag.Bool("open", false, "open the demo in the default browser too")
	verbose := flag.Bool("v", false, "debug log")
	sipDebug := flag.Bool("sip-debug", false, "log every SIP message")
	flag.Parse()

	level := slog.LevelInfo
	if *verbose || *sipDebug {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	slog.SetDefault(log) // sipgo logs through the default logger
	sip.SIPDebug = *sipDebug

	accounts, err := parseUsers(*users)
	if err != nil {
		fatal(err)
	}
	if _, err := os.Stat(filepath.Join(*dist, "exotelsdk.wasm")); err != nil {
		fmt.Fprintf(os.Stderr, "devpbx: %s/exotelsdk.wasm is missing: run `npm run build` (or `bash scripts/setup.sh`) first\n", *dist)
	}
	if host, _, err := net.SplitHostPort(*addr); err == nil {
		if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
			fmt.Fprintf(os.Stderr, "devpbx: warning: listening on %s, not loopback: anyone who can reach it can register and call\n", *addr)
		}
	}

	srv, err := devpbx.Start(devpbx.Config{Addr: *addr, Domain: *domain, Users: accounts, Strict: *strict,
		WebDir: *web, DistDir: *dist, Log: log})
	if errors.Is(err, syscall.EADDRINUSE) {
		fatal(fmt.Errorf("%w: another program uses %s; pick another port with -addr (e.g. -addr 127.0.0.1:0 for any free one)", err, *addr))
	}
	if err != nil {
		fatal(err)
	}
	printBanner(srv, accounts, *strict)
	if *open {
		openBrowser(srv.URL())
	}

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	<-stop
	fmt.Println("devpbx: stopping")
	srv.Close()
}

// parseUsers reads -users ("alice:secret,bob:pw2"); "" is the default accounts.
func parseUsers(s string) (map[string]string, error) {
	if strings.TrimSpace(s) == "" {
		return devpbx.DefaultUsers(), nil
	}
	out := map[string]string{}
	for _, pair := range strings.Split(s, ",") {
		user, pw, ok := strings.Cut(strings.TrimSpace(pair), ":")
		if !ok || user == "" || pw == "" {
			return nil, fmt.Errorf("-users: %q is not user:password", pair)
		}
		out[user] = pw
	}
	return out, nil
}

func printBanner(srv *devpbx.Server, accounts map[string]string, strict bool) {
	names := make([]string, 0, len(accounts))
	for u := range accounts {
		names = append(names, u)
	}
	slices.Sort(names)
	var list []string
	for _, u := range names {
		list = append(list, u+" / "+accounts[u])
	}
	fmt.Printf("\n  Demo softphone:      %s\n", srv.URL())
	fmt.Printf("  SIP over WebSocket:  %s   (sipdomain %s)\n", srv.WSURL(), srv.Domain())
	fmt.Printf("  Accounts:            %s", strings.Join(list, ", "))
	if !strict {
		fmt.Print("   (or any NAME / pw-NAME)")
	}
	fmt.Printf("\n  Call \"bot\" (chime, reads your DTMF back) or \"echo\"; the page can ask the bot to call you.\n\n")
}

// openBrowser opens url with the desktop's opener, if there is one.
func openBrowser(url string) {
	opener := map[string][]string{"darwin": {"open"}, "windows": {"rundll32", "url.dll,FileProtocolHandler"}}[runtime.GOOS]
	if opener == nil {
		opener = []string{"xdg-open"}
	}
	if _, err := exec.LookPath(opener[0]); err != nil {
		fmt.Printf("  (no %s here: open %s yourself)\n", opener[0], url)
		return
	}
	if err := exec.Command(opener[0], append(opener[1:], url)...).Start(); err != nil {
		fmt.Printf("  (could not open a browser: %v)\n", err)
	}
}

func fatal(err error) {
	fmt.Fprintf(os.Stderr, "devpbx: %v\n", err)
	os.Exit(1)
}
