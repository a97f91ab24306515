//go:build js && wasm

package jsbridge

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"syscall/js"

	sdkclient "github.com/webphone/exotelsdk/sdk/client"
)

// getCamera opens the camera id ("" is the one chosen by
// changeVideoInputDevice, else the browser's default). It must run on a
// goroutine.
func (d *deviceState) getCamera(ctx context.Context, id string) (js.Value, error) {
	md := js.Global().Get("navigator").Get("mediaDevices")
	if !md.Truthy() || !md.Get("getUserMedia").Truthy() {
		return js.Value{}, errors.New("this browser cannot open the camera (insecure origin?)")
	}
	if id == "" {
		d.mu.Lock()
		id = d.cameraID
		d.mu.Unlock()
	}
	video := map[string]any{"width": map[string]any{"ideal": 640}, "height": map[string]any{"ideal": 480}}
	if id != "" && id != "default" {
		video["deviceId"] = map[string]any{"exact": id}
	}
	stream, err := awaitCamera(ctx, md.Call("getUserMedia", object(map[string]any{"audio": false, "video": video})))
	if err != nil {
		logger.Errorf("camera unavailable: %v", err)
		return js.Value{}, err
	}
	if stream.Call("getVideoTracks").Length() == 0 {
		stopStream(stream)
		return js.Value{}, errors.New("the camera stream has no video track")
	}
	return stream, nil
}

// awaitCamera waits for getUserMedia's Promise, at most until ctx ends (a
// browser may leave it pending, e.g. behind a permission prompt nobody
// answers); a stream that comes later is stopped.
func awaitCamera(ctx context.Context, p js.Value) (js.Value, error) {
	type result struct {
		v   js.Value
		err error
	}
	done := make(chan result, 1)
	spawn("getUserMedia(video)", func() {
		v, err := await(p)
		done <- result{v, err}
	})
	select {
	case r := <-done:
		return r.v, r.err
	case <-ctx.Done():
		spawn("late camera", func() {
			if r := <-done; r.err == nil {
				stopStream(r.v)
			}
		})
		return js.Value{}, fmt.Errorf("the camera did not open: %w", ctx.Err())
	}
}

// changeVideoInputDevice(deviceId, onSuccess, onError): the camera of the
// calls sending video becomes deviceId (replaceTrack, no renegotiation) and
// next video calls use it. onSuccess(deviceId) or onError(reason) follows;
// an unknown id is refused with "deviceIdNotFound".
func (c *client) changeVideoInputDevice(args []js.Value) any {
	id, onOK, onErr := str(arg(args, 0)), arg(args, 1), arg(args, 2)
	spawn("changeVideoInputDevice", func() {
		ctx, cancel := context.WithTimeout(context.Background(), deviceChangeLimit)
		defer cancel()
		if err := c.devices.switchCamera(ctx, id); err != nil {
			logger.Warnf("changeVideoInputDevice(%s): %v", shortID(id), err)
			invokeLater(onErr, err.Error())
			return
		}
		logger.Infof("camera is now %s", orDefault(id))
		invokeLater(onOK, id)
	})
	return nil
}

// switchCamera makes id the camera: checked, opened (proving it works),
// remembered, and put on every call sending video.
func (d *deviceState) switchCamera(ctx context.Context, id string) error {
	if id == "" {
		return errors.New("a deviceId is required")
	}
	if list, err := enumerateDevices(); err == nil {
		if _, ok := sdkclient.FindDevice(list, "videoinput", id); !ok && id != "default" {
			return errDeviceNotFound
		}
	}
	first, err := d.getCamera(ctx, id)
	if err != nil {
		return err
	}
	d.mu.Lock()
	d.cameraID = id
	d.mu.Unlock()
	for _, s := range d.activeSessions() {
		if !s.hasCamera() {
			continue
		}
		stream := first
		first = js.Undefined()
		if !stream.Truthy() {
			if stream, err = d.getCamera(ctx, id); err != nil {
				return err
			}
		}
		if err := s.replaceCamera(stream); err != nil {
			return err
		}
	}
	if first.Truthy() {
		stopStream(first) // no call needed it
	}
	return nil
}

// isVideoCodec tells whether setPreferredCodec named a video codec.
func isVideoCodec(name string) bool {
	switch strings.ToLower(name) {
	case "vp8", "vp9", "h264", "av1":
		return true
	}
	return false
}
