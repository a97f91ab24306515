//go:build js && wasm

package jsbridge

import (
	"fmt"
	sdkdiag "github.com/webphone/exotelsdk/sdk/diagnostics"
	"sync"
	"syscall/js"
	"time"
)

// Diagnostics (guide 5.11): initDiagnostics hands the SDK two callbacks,
// keyValueCb(key, status, description) for each measurement and
// reportCb(status, text) for the troubleshooting report; the speaker, mic
// and network tests report through them. Everything reported is measured:
// levels come from Web Audio analysers, "wss" from a real WebSocket, the ICE
// keys from a real candidate gathering.

// diagnostics is one client's diagnostics session: the app's callbacks, the
// tests running, and the report lines gathered so far.
type diagnostics struct {
	mu       sync.Mutex
	reportCb js.Value
	keyValue js.Value
	lines    []string // the report's test results, oldest first
	speaker  *levelTest
	mic      *levelTest
	network  *networkTest
}

// diagnosticsOf maps a client to its diagnostics; the client struct itself
// belongs to client.go.
var diagnosticsOf = struct {
	sync.Mutex
	m map[*client]*diagnostics
}{m: map[*client]*diagnostics{}}

func (c *client) diag() *diagnostics {
	diagnosticsOf.Lock()
	defer diagnosticsOf.Unlock()
	d := diagnosticsOf.m[c]
	if d == nil {
		d = &diagnostics{}
		diagnosticsOf.m[c] = d
	}
	return d
}

// diagLog is the diagnostics' scope in the SDK log.
var diagLog = book.Logger("diagnostics")

// emit calls keyValueCb(key, status, description) later, if there is one.
func (d *diagnostics) emit(key string, status any, description string) {
	_, cb := d.callbacks()
	invokeLater(cb, key, status, description)
}

// note adds a line to the report (and to the SDK log, so downloadLogs has it too).
func (d *diagnostics) note(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	diagLog.Infof("%s", msg)
	d.mu.Lock()
	defer d.mu.Unlock()
	d.lines = append(d.lines, time.Now().UTC().Format("2006-01-02T15:04:05.000Z")+" "+msg)
	if len(d.lines) > 500 {
		d.lines = d.lines[len(d.lines)-500:]
	}
}

func (d *diagnostics) results() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.lines...)
}

// initDiagnostics(reportCb, keyValueCb): browserVersion now, then micInfo
// and speakerInfo once the devices are listed, then a first report.
func (c *client) initDiagnostics(args []js.Value) any {
	reportCb, keyValue := arg(args, 0), arg(args, 1)
	if !isFunction(reportCb) || !isFunction(keyValue) {
		logger.Warnf("initDiagnostics needs two functions: diagnosticsReportCallback and keyValueSetCallback")
		return nil
	}
	d := c.diag()
	d.setCallbacks(reportCb, keyValue)
	browser := sdkdiag.BrowserVersion(str(field(js.Global().Get("navigator"), "userAgent")))
	// As Exotel 3.x: status "ready", the version in the description.
	d.emit("browserVersion", "ready", browser)
	d.note("diagnostics started: browser %s", browser)
	spawn("initDiagnostics", func() {
		mic, speaker := c.deviceLabels()
		// As Exotel 3.x: the label is the status, the key the description.
		d.emit("micInfo", mic, "micInfo")
		d.emit("speakerInfo", speaker, "speakerInfo")
		d.note("microphone %q, speaker %q", mic, speaker)
		c.sendReport(d)
	})
	return nil
}

// closeDiagnostics(): stops every test, releases what they opened and
// forgets the callbacks.
func (c *client) closeDiagnostics([]js.Value) any {
	d := c.diag()
	speaker, mic, network := d.reset()
	for _, t := range []*levelTest{speaker, mic} {
		if t != nil {
			t.finish()
		}
	}
	if network != nil {
		network.cancel()
	}
	diagLog.Infof("diagnostics closed")
	return nil
}

// sendReport passes the whole troubleshooting report to reportCb, as Exotel
// 3.x does each time the report grows. It must run on a goroutine.
func (c *client) sendReport(d *diagnostics) {
	cb, _ := d.callbacks()
	if !isFunction(cb) {
		return
	}
	invokeLater(cb, "troubleShootReport", c.troubleshootingReport())
}

// notImplemented logs that a contract method does nothing yet.
func notImplemented(name string) any {
	logger.Warnf("%s is not available in this version", name)
	return nil
}

// callbacks are the app's reportCb and keyValueCb.
func (d *diagnostics) callbacks() (reportCb, keyValue js.Value) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.reportCb, d.keyValue
}

func (d *diagnostics) setCallbacks(reportCb, keyValue js.Value) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.reportCb, d.keyValue = reportCb, keyValue
}

// reset forgets the callbacks and returns the tests that were running.
func (d *diagnostics) reset() (speaker, mic *levelTest, network *networkTest) {
	d.mu.Lock()
	defer d.mu.Unlock()
	speaker, mic, network = d.speaker, d.mic, d.network
	d.speaker, d.mic, d.network = nil, nil, nil
	d.reportCb, d.keyValue = js.Undefined(), js.Undefined()
	return speaker, mic, network
}
