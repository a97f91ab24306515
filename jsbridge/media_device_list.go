//go:build js && wasm

package jsbridge

import (
	"context"
	"errors"
	"strings"
	"syscall/js"

	"github.com/webphone/exotelsdk/sdk/media"
)

// mediaDevice is one entry of navigator.mediaDevices.enumerateDevices().
type mediaDevice struct {
	ID      string `json:"deviceId"`
	Kind    string `json:"kind"` // audioinput, audiooutput, videoinput
	Label   string `json:"label"`
	GroupID string `json:"groupId"`
}

func (m mediaDevice) js() js.Value {
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
	out := make([]mediaDevice, 0, list.Length())
	for i := 0; i < list.Length(); i++ {
		d := list.Index(i)
		out = append(out, mediaDevice{ID: d.Get("deviceId").String(), Kind: d.Get("kind").String(),
			Label: d.Get("label").String(), GroupID: d.Get("groupId").String()})
	}
	return out, nil
}

// find returns the device of a kind with an id; "" and "default" mean the
// system default, which is the "default" entry in Chromium and the first
// entry elsewhere.
func findDevice(list []mediaDevice, kind, id string) (mediaDevice, bool) {
	if id == "" {
		id = "default"
	}
	for _, d := range list {
		if d.Kind == kind && d.ID == id {
			return d, true
		}
	}
	if id == "default" {
		return defaultDevice(list, kind)
	}
	return mediaDevice{}, false
}

// defaultDevice is the system default of a kind.
func defaultDevice(list []mediaDevice, kind string) (mediaDevice, bool) {
	var first *mediaDevice
	for i, d := range list {
		if d.Kind != kind {
			continue
		}
		if d.ID == "default" {
			return d, true
		}
		if first == nil {
			first = &list[i]
		}
	}
	if first != nil {
		return *first, true
	}
	return mediaDevice{}, false
}

// physicalDefault is the real device behind Chromium's "default" entry (the
// one of the same group), which is what an app would select.
func physicalDefault(list []mediaDevice, kind string) (mediaDevice, bool) {
	def, ok := defaultDevice(list, kind)
	if !ok || def.ID != "default" {
		return def, ok
	}
	for _, d := range list {
		if d.Kind == kind && d.ID != "default" && d.ID != "communications" && d.GroupID == def.GroupID {
			return d, true
		}
	}
	return def, true
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
	if !labelled(list) && !microphoneDenied() {
		if stream, err := c.devices.getUserMedia(context.Background(), media.Options{}); err == nil {
			stopStream(stream)
			if l, err := enumerateDevices(); err == nil {
				list = l
			}
		}
	}
	c.devices.mu.Lock()
	in, out := c.devices.inputID, c.devices.outputID
	c.devices.mu.Unlock()
	if d, ok := findDevice(list, "audioinput", in); ok {
		mic = d.Label
	}
	if d, ok := findDevice(list, "audiooutput", out); ok {
		speaker = d.Label
	}
	return mic, speaker
}

func labelled(list []mediaDevice) bool {
	for _, d := range list {
		if d.Kind == "audioinput" && d.Label != "" {
			return true
		}
	}
	return false
}

// browserVersion is "name/version" from the user agent, as Exotel's
// getBrowserData gives it ("Chrome/120.0.0.0"); headless Chromium counts as
// Chrome.
func browserVersion(ua string) string {
	for _, b := range []struct{ token, name string }{
		{"Edg/", "Edge"}, {"Edge/", "Edge"}, {"OPR/", "Opera"}, {"Firefox/", "Firefox"},
		{"Chrome/", "Chrome"}, {"CriOS/", "Chrome"}, {"Version/", "Safari"},
	} {
		if i := strings.Index(ua, b.token); i >= 0 {
			v := ua[i+len(b.token):]
			if j := strings.IndexAny(v, " ;)"); j >= 0 {
				v = v[:j]
			}
			return b.name + "/" + v
		}
	}
	if i := strings.LastIndexByte(ua, ' '); i >= 0 && strings.Contains(ua[i+1:], "/") {
		return ua[i+1:]
	}
	return ua
}
