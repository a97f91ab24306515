//go:build js && wasm

package jsbridge

import (
	"context"
	"sync"
	"syscall/js"

	sdkclient "github.com/webphone/exotelsdk/sdk/client"
)

// deviceWatch follows navigator.mediaDevices' 'devicechange' for one client
// (registerAudioDeviceChangeCallback): it compares each new device list
// with the previous one and tells the app what changed.
type deviceWatch struct {
	inputCb, outputCb, listCb js.Value
	listener                  js.Func

	mu   sync.Mutex // serialises handling: one list comparison at a time
	last []mediaDevice
}

// deviceWatches maps a client's device state to its watch.
var deviceWatches = struct {
	sync.Mutex
	m map[*deviceState]*deviceWatch
}{m: map[*deviceState]*deviceWatch{}}

// registerAudioDeviceChangeCallback(inputCb, outputCb, devicesChangedCb?):
//   - devicesChangedCb(devices): the list changed (an array of
//     {deviceId, kind, label, groupId});
//   - inputCb(deviceId, label): the microphone the SDK uses changed because
//     the system default changed while the app follows it (no device
//     chosen), or the chosen device went away (back to the default); calls
//     in progress are moved to it;
//   - outputCb(deviceId, label): the same for the speaker.
//
// A second registration replaces the first.
func (c *client) registerAudioDeviceChangeCallback(args []js.Value) any {
	md := js.Global().Get("navigator").Get("mediaDevices")
	if !md.Truthy() {
		logger.Warnf("registerAudioDeviceChangeCallback: this browser has no mediaDevices")
		return nil
	}
	w := &deviceWatch{inputCb: arg(args, 0), outputCb: arg(args, 1), listCb: arg(args, 2)}
	for _, cb := range []js.Value{w.inputCb, w.outputCb, w.listCb} {
		if t := appType(cb); t != js.TypeFunction && t != js.TypeUndefined && t != js.TypeNull {
			logger.Warnf("registerAudioDeviceChangeCallback needs functions (or nothing)")
			return nil
		}
	}
	d := c.devices
	w.listener = js.FuncOf(func(js.Value, []js.Value) any {
		spawn("devicechange", func() { w.handle(d) })
		return nil
	})
	old := replaceWatch(d, w)
	if old != nil {
		md.Call("removeEventListener", "devicechange", old.listener)
		old.listener.Release()
	}
	w.mu.Lock() // held until the first list is known, so no change is missed or misread
	md.Call("addEventListener", "devicechange", w.listener)
	spawn("registerAudioDeviceChangeCallback", func() {
		defer w.mu.Unlock()
		list, err := enumerateDevices()
		if err != nil {
			logger.Warnf("registerAudioDeviceChangeCallback: %v", err)
			return
		}
		w.last = list
	})
	return nil
}

// handle compares the new device list with the last one and reports.
func (w *deviceWatch) handle(d *deviceState) {
	list, err := enumerateDevices()
	if err != nil {
		logger.Warnf("devicechange: %v", err)
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	prev := w.last
	w.last = list
	if sdkclient.SameDevices(prev, list) {
		return
	}
	logger.Infof("audio devices changed: %d devices now", len(list))
	items := make([]any, len(list))
	for i, m := range list {
		items[i] = deviceJS(m)
	}
	invokeLater(w.listCb, js.ValueOf(items))

	ctx, cancel := context.WithTimeout(context.Background(), deviceChangeLimit)
	defer cancel()
	in, out := d.inputDevice(), d.outputDevice()

	if moved, now := sdkclient.DeviceMoved(prev, list, "audioinput", in); moved {
		d.setInput("") // a vanished choice falls back to the default
		if err := d.reopenCalls(ctx, "default", js.Undefined()); err != nil {
			logger.Warnf("could not move the calls to the new microphone: %v", err)
		}
		logger.Infof("microphone follows the default: %q", now.Label)
		invokeLater(w.inputCb, now.ID, now.Label)
	}
	if moved, now := sdkclient.DeviceMoved(prev, list, "audiooutput", out); moved {
		if out != "" && out != "default" {
			if err := d.switchOutput("", true); err != nil {
				logger.Warnf("could not move the audio to the default output: %v", err)
			}
		}
		logger.Infof("speaker follows the default: %q", now.Label)
		invokeLater(w.outputCb, now.ID, now.Label)
	}
}

// replaceWatch makes w the watch of d and returns the one it replaces.
func replaceWatch(d *deviceState, w *deviceWatch) *deviceWatch {
	deviceWatches.Lock()
	defer deviceWatches.Unlock()
	old := deviceWatches.m[d]
	deviceWatches.m[d] = w
	return old
}
