//go:build js && wasm

package jsbridge

import (
	"context"
	"errors"
	"sync"
	"syscall/js"

	sdkclient "github.com/webphone/exotelsdk/sdk/client"
	"github.com/webphone/exotelsdk/sdk/media"
)

// ignoreRejection swallows a Promise rejection we do not care about (play()
// refused before a user gesture, say).
var ignoreRejection = js.FuncOf(func(js.Value, []js.Value) any { return nil })

// deviceState is one client's audio devices: the chosen input and output,
// and the sessions using them, so a change reaches calls in progress. The
// volume and noise suppression are the client's settings.
type deviceState struct {
	settings *sdkclient.Settings
	mu       sync.Mutex
	inputID  string
	outputID string
	cameraID string // media_camera.go
	sessions map[*pcSession]bool
}

func newDeviceState(settings *sdkclient.Settings) *deviceState {
	return &deviceState{settings: settings, sessions: map[*pcSession]bool{}}
}

func (d *deviceState) track(s *pcSession)   { d.mu.Lock(); defer d.mu.Unlock(); d.sessions[s] = true }
func (d *deviceState) untrack(s *pcSession) { d.mu.Lock(); defer d.mu.Unlock(); delete(d.sessions, s) }

func (d *deviceState) callVolume() float64  { return d.settings.CallVolume() }
func (d *deviceState) outputDevice() string { d.mu.Lock(); defer d.mu.Unlock(); return d.outputID }
func (d *deviceState) inputDevice() string  { d.mu.Lock(); defer d.mu.Unlock(); return d.inputID }

// setInput and setOutput remember the chosen devices.
func (d *deviceState) setInput(id string)  { d.mu.Lock(); defer d.mu.Unlock(); d.inputID = id }
func (d *deviceState) setOutput(id string) { d.mu.Lock(); defer d.mu.Unlock(); d.outputID = id }

// constraints builds getUserMedia's audio constraints.
func (d *deviceState) constraints(opts media.Options) js.Value {
	d.mu.Lock()
	defer d.mu.Unlock()
	audio := map[string]any{"echoCancellation": true, "autoGainControl": true}
	id := opts.InputDeviceID
	if id == "" {
		id = d.inputID
	}
	if id != "" && id != "default" {
		audio["deviceId"] = map[string]any{"exact": id}
	}
	ns := opts.NoiseSuppression
	if ns == nil {
		ns = d.settings.NoiseSuppression()
	}
	if ns != nil {
		audio["noiseSuppression"] = *ns
	}
	return object(map[string]any{"audio": audio, "video": false})
}

// getUserMedia opens the microphone.
func (d *deviceState) getUserMedia(ctx context.Context, opts media.Options) (js.Value, error) {
	md := js.Global().Get("navigator").Get("mediaDevices")
	if !md.Truthy() || !md.Get("getUserMedia").Truthy() {
		return js.Value{}, errors.New("this browser cannot open the microphone (insecure origin?)")
	}
	stream, err := await(md.Call("getUserMedia", d.constraints(opts)))
	if err != nil {
		logger.Errorf("microphone unavailable: %v", err)
		return js.Value{}, err
	}
	return stream, nil
}
