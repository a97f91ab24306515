//go:build js && wasm

package jsbridge

import (
	"context"
	"errors"
	"syscall/js"

	sdkclient "github.com/webphone/exotelsdk/sdk/client"
	"github.com/webphone/exotelsdk/sdk/media"
)

// mediaDevice is one entry of enumerateDevices(); the matching rules are
// sdk/client's.
type mediaDevice = sdkclient.Device

func deviceJS(m mediaDevice) js.Value {
	return object(map[string]any{"deviceId": m.ID, "kind": m.Kind, "label": m.Label, "groupId": m.GroupID})
}

// enumerateDevices lists the media devices. It must run on a goroutine.
func enumerateDevices() ([]mediaDevice, error) {
	md := js.Global().Get("navigator").Get("mediaDevices")
	if !md.Truthy() || !md.Get("enumerateDevices").Truthy() {
		return nil, errors.New("this browser cannot list media devices")
	}
	list, err := await(md.Call("enumerateDevices"))
	if err != nil {
		return nil, err
	}
	items := elements(list)
	out := make([]mediaDevice, 0, len(items))
	for _, d := range items {
		out = append(out, mediaDevice{ID: str(field(d, "deviceId")), Kind: str(field(d, "kind")),
			Label: str(field(d, "label")), GroupID: str(field(d, "groupId"))})
	}
	return out, nil
}

// deviceLabels names the microphone and speaker the client uses (the chosen
// ones, else the system defaults). Browsers hide labels until the page may
// use the microphone; then it is opened for a moment to learn them.
func (c *client) deviceLabels() (mic, speaker string) {
	list, err := enumerateDevices()
	if err != nil {
		logger.Warnf("cannot list devices: %v", err)
		return "", ""
	}
	if !sdkclient.Labelled(list) && !microphoneDenied() {
		if stream, err := c.devices.getUserMedia(context.Background(), media.Options{}); err == nil {
			stopStream(stream)
			if l, err := enumerateDevices(); err == nil {
				list = l
			}
		}
	}
	in, out := c.devices.inputDevice(), c.devices.outputDevice()
	if d, ok := sdkclient.FindDevice(list, "audioinput", in); ok {
		mic = d.Label
	}
	if d, ok := sdkclient.FindDevice(list, "audiooutput", out); ok {
		speaker = d.Label
	}
	return mic, speaker
}
