//go:build js && wasm

package jsbridge

import "syscall/js"

// Diagnostics (guide 5.11). Not implemented yet: each logs and does nothing.

func (c *client) initDiagnostics(args []js.Value) any  { return notImplemented("initDiagnostics") }
func (c *client) closeDiagnostics(args []js.Value) any { return notImplemented("closeDiagnostics") }
func (c *client) startSpeakerTest(args []js.Value) any {
	return notImplemented("startSpeakerDiagnosticsTest")
}
func (c *client) stopSpeakerTest(args []js.Value) any {
	return notImplemented("stopSpeakerDiagnosticsTest")
}
func (c *client) startMicTest(args []js.Value) any { return notImplemented("startMicDiagnosticsTest") }
func (c *client) stopMicTest(args []js.Value) any  { return notImplemented("stopMicDiagnosticsTest") }
func (c *client) startNetworkTest(args []js.Value) any {
	return notImplemented("startNetworkDiagnostics")
}
func (c *client) stopNetworkTest(args []js.Value) any {
	return notImplemented("stopNetworkDiagnostics")
}
func (c *client) downloadLogs(args []js.Value) any { return notImplemented("downloadLogs") }
func (c *client) changeAudioInputDevice(args []js.Value) any {
	return notImplemented("changeAudioInputDevice")
}
func (c *client) changeAudioOutputDevice(args []js.Value) any {
	return notImplemented("changeAudioOutputDevice")
}
func (c *client) registerAudioDeviceChangeCallback(args []js.Value) any {
	return notImplemented("registerAudioDeviceChangeCallback")
}

func notImplemented(name string) any {
	logger.Warnf("%s is not available in this version", name)
	return nil
}
