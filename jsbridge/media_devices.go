//go:build js && wasm

package jsbridge

import (
	"context"
	"errors"
	"syscall/js"
	"time"

	sdkclient "github.com/webphone/exotelsdk/sdk/client"
	"github.com/webphone/exotelsdk/sdk/media"
)

// errDeviceNotFound is what onError receives for an unknown deviceId
// (Exotel 3.x passes the same string).
var errDeviceNotFound = errors.New("deviceIdNotFound")

// deviceChangeLimit bounds a device switch (getUserMedia, replaceTrack, setSinkId).
const deviceChangeLimit = 15 * time.Second

// changeAudioInputDevice(deviceId, onSuccess, onError, force?): the
// microphone of the calls in progress becomes deviceId (replaceTrack, no
// renegotiation, mute state kept) and next calls use it. onSuccess(deviceId)
// or onError(reason) follows. Without force an unknown id is refused and the
// device already in use is left alone; force reopens it anyway.
func (c *client) changeAudioInputDevice(args []js.Value) any {
	id, onOK, onErr, force := str(arg(args, 0)), arg(args, 1), arg(args, 2), truthy(arg(args, 3))
	spawn("changeAudioInputDevice", func() {
		ctx, cancel := context.WithTimeout(context.Background(), deviceChangeLimit)
		defer cancel()
		if err := c.devices.switchInput(ctx, id, force); err != nil {
			logger.Warnf("changeAudioInputDevice(%s): %v", shortID(id), err)
			invokeLater(onErr, err.Error())
			return
		}
		logger.Infof("microphone is now %s", orDefault(id))
		invokeLater(onOK, id)
	})
	return nil
}

// changeAudioOutputDevice(deviceId, onSuccess, onError, force?): the calls'
// audio (setSinkId on their audio elements) and the tones (setSinkId on the
// page's AudioContext, where supported) play on deviceId, now and in next
// calls.
func (c *client) changeAudioOutputDevice(args []js.Value) any {
	id, onOK, onErr, force := str(arg(args, 0)), arg(args, 1), arg(args, 2), truthy(arg(args, 3))
	spawn("changeAudioOutputDevice", func() {
		if err := c.devices.switchOutput(id, force); err != nil {
			logger.Warnf("changeAudioOutputDevice(%s): %v", shortID(id), err)
			invokeLater(onErr, err.Error())
			return
		}
		logger.Infof("audio output is now %s", orDefault(id))
		invokeLater(onOK, id)
	})
	return nil
}

// activeSessions are the calls whose media this client owns.
func (d *deviceState) activeSessions() []*pcSession {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([]*pcSession, 0, len(d.sessions))
	for s := range d.sessions {
		out = append(out, s)
	}
	return out
}

// switchInput makes id the microphone: checked, opened, remembered, and put
// on every call in progress. It must run on a goroutine.
func (d *deviceState) switchInput(ctx context.Context, id string, force bool) error {
	if id == "" {
		return errors.New("a deviceId is required")
	}
	if !force {
		if list, err := enumerateDevices(); err == nil {
			if _, ok := sdkclient.FindDevice(list, "audioinput", id); !ok {
				return errDeviceNotFound
			}
		}
		in := d.inputDevice()
		if in == id || (in == "" && id == "default") {
			return nil
		}
	}
	// Opening it first proves the device works before anything changes.
	stream, err := d.getUserMedia(ctx, media.Options{InputDeviceID: id})
	if err != nil {
		return err
	}
	d.setInput(id)
	return d.reopenCalls(ctx, id, stream)
}

// reopenCalls puts a fresh stream of device id on each call that has a
// microphone; first (may be null) is used for the first call, or stopped.
func (d *deviceState) reopenCalls(ctx context.Context, id string, first js.Value) error {
	var firstErr error
	for _, s := range d.activeSessions() {
		if !s.hasMicrophone() {
			continue
		}
		stream := first
		first = js.Undefined()
		if !stream.Truthy() {
			var err error
			if stream, err = d.getUserMedia(ctx, media.Options{InputDeviceID: id}); err != nil {
				firstErr = err
				continue
			}
		}
		if err := s.replaceMicrophone(stream); err != nil && firstErr == nil {
			firstErr = err
		}
	}
	if first.Truthy() {
		stopStream(first) // no call needed it
	}
	return firstErr
}

// switchOutput plays calls and tones on id ("" or "default": the system
// default). It must run on a goroutine.
func (d *deviceState) switchOutput(id string, force bool) error {
	if !force {
		if list, err := enumerateDevices(); err == nil {
			if _, ok := sdkclient.FindDevice(list, "audiooutput", id); !ok {
				return errDeviceNotFound
			}
		}
	}
	sessions := d.activeSessions()
	if len(sessions) == 0 {
		// No call to route yet: prove the browser accepts the device.
		probe := js.Global().Get("document").Call("createElement", "audio")
		if !probe.Get("setSinkId").Truthy() {
			return errNoSinkSelection
		}
		if _, err := await(probe.Call("setSinkId", id)); err != nil {
			return err
		}
	}
	for _, s := range sessions {
		if err := s.setSink(id); err != nil {
			return err
		}
	}
	if err := setToneOutput(id); err != nil {
		logger.Warnf("tones stay on the default output: %v", err)
	}
	d.setOutput(id)
	return nil
}
