//go:build js && wasm

package jsbridge

import (
	"context"
	"errors"
	"sync"
	"syscall/js"

	"github.com/webphone/exotelsdk/sdk/media"
)

// ignoreRejection swallows a Promise rejection we do not care about (play()
// refused before a user gesture, say).
var ignoreRejection = js.FuncOf(func(js.Value, []js.Value) any { return nil })

// deviceState is one client's audio devices and settings: the chosen input
// and output, the call volume, and the sessions using them, so a change
// reaches calls in progress.
type deviceState struct {
	mu               sync.Mutex
	inputID          string
	outputID         string
	volume           float64
	noiseSuppression *bool
	sessions         map[*pcSession]bool
}

func newDeviceState() *deviceState {
	return &deviceState{volume: 1, sessions: map[*pcSession]bool{}}
}

func (d *deviceState) track(s *pcSession)   { d.mu.Lock(); d.sessions[s] = true; d.mu.Unlock() }
func (d *deviceState) untrack(s *pcSession) { d.mu.Lock(); delete(d.sessions, s); d.mu.Unlock() }

func (d *deviceState) callVolume() float64  { d.mu.Lock(); defer d.mu.Unlock(); return d.volume }
func (d *deviceState) outputDevice() string { d.mu.Lock(); defer d.mu.Unlock(); return d.outputID }

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
		ns = d.noiseSuppression
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
