//go:build js && wasm

package jsbridge

import (
	"fmt"
	"strings"
	"syscall/js"
	"time"

	sdkdiag "github.com/webphone/exotelsdk/sdk/diagnostics"
	"github.com/webphone/exotelsdk/sdk/logs"
)

// troubleshootingReport is the text reportCb receives and downloadLogs
// saves: the SDK, browser, account and servers, the devices, the diagnostics
// results with the user's answers, then the SDK's recent log lines. Nothing
// secret goes in: no password or TURN credential is ever written, and the
// log's SIP messages have their digest responses redacted (sipua.Redact).
// It must run on a goroutine (it lists the devices).
func (c *client) troubleshootingReport() string {
	var b strings.Builder
	line := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	nav := js.Global().Get("navigator")
	ua := nav.Get("userAgent").String()

	line("Exotel WebRTC SDK troubleshooting report")
	line("Generated: %s", time.Now().UTC().Format(time.RFC3339))
	line("SDK: exotelsdk-go %s", Version)
	line("Browser: %s", sdkdiag.BrowserVersion(ua))
	line("User agent: %s", ua)
	line("Platform: %s, online: %v, WebRTC supported: %v", nav.Get("platform").String(), nav.Get("onLine").Truthy(), webRTCSupported())

	p := c.currentPhone("")
	_, user := c.registerCallback()
	if p == nil {
		line("Account: not initialised (initWebrtc not called)")
	} else {
		servers := c.webSocketURLs()
		for i := range servers {
			servers[i] = logs.RedactURL(servers[i])
		}
		line("Account: userName %s, status %s, servers %s", user, p.Status(), strings.Join(servers, " "))
	}
	ice := c.settings.ICEServers()
	line("ICE servers: %s", sdkdiag.DescribeServers(ice))

	in, out, calls := c.devices.inputDevice(), c.devices.outputDevice(), len(c.devices.activeSessions())
	line("Chosen input: %s, chosen output: %s, calls with media: %d", orDefault(in), orDefault(out), calls)
	line("")
	line("Devices:")
	if list, err := enumerateDevices(); err != nil {
		line("  cannot list them: %v", err)
	} else {
		for _, d := range list {
			line("  %-11s %-40q id %s", d.Kind, d.Label, shortID(d.ID))
		}
	}
	line("")
	line("Diagnostics:")
	results := c.diag().results()
	if len(results) == 0 {
		line("  none run")
	}
	for _, r := range results {
		line("  %s", r)
	}
	entries := book.Entries()
	line("")
	line("SDK log (last %d lines):", len(entries))
	for _, e := range entries {
		b.WriteString(e.String())
		b.WriteByte('\n')
	}
	return b.String()
}

func orDefault(id string) string {
	if id == "" {
		return "default"
	}
	return shortID(id)
}

// shortID shortens a device id: enough to tell devices apart.
func shortID(id string) string {
	if len(id) > 12 {
		return id[:12] + "…"
	}
	return id
}

// downloadLogs(): saves the troubleshooting report, with the SDK's recent
// log lines, as exotelsdk-logs-<time>.txt through a temporary download link.
func (c *client) downloadLogs([]js.Value) any {
	spawn("downloadLogs", func() {
		name := "exotelsdk-logs-" + time.Now().UTC().Format("20060102-150405") + ".txt"
		if err := saveTextFile(name, c.troubleshootingReport()); err != nil {
			logger.Errorf("downloadLogs: %v", err)
		}
	})
	return nil
}

// saveTextFile offers text to the user as a file: a Blob behind an object
// URL, clicked through a hidden <a download>.
func saveTextFile(name, text string) error {
	g := js.Global()
	doc := g.Get("document")
	if !doc.Truthy() || !doc.Get("body").Truthy() || !g.Get("Blob").Truthy() {
		return fmt.Errorf("no document to download from")
	}
	blob, err := construct(g.Get("Blob"), js.ValueOf([]any{text}), object(map[string]any{"type": "text/plain;charset=utf-8"}))
	if err != nil {
		return err
	}
	href := g.Get("URL").Call("createObjectURL", blob)
	a := doc.Call("createElement", "a")
	a.Set("href", href)
	a.Set("download", name)
	a.Get("style").Set("display", "none")
	doc.Get("body").Call("appendChild", a)
	a.Call("click")
	a.Call("remove")
	// The browser reads the Blob after the click's task; free it a while later.
	spawn("downloadLogs: revoke", func() {
		time.Sleep(30 * time.Second)
		g.Get("URL").Call("revokeObjectURL", href)
	})
	logger.Infof("downloadLogs: offered %s (%d bytes)", name, len(text))
	return nil
}
