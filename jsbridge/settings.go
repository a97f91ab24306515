//go:build js && wasm

package jsbridge

import (
	"syscall/js"

	sdkclient "github.com/webphone/exotelsdk/sdk/client"
	"github.com/webphone/exotelsdk/sdk/media"
)

// The setters of a client's settings: each reads the app's value through
// jsvalue.go and hands it to sdk/client.Settings, the one copy the phone,
// the media sessions and the devices read. A refused value is logged and
// changes nothing.

// readAccountSettings takes the ext options an app may put in
// sipAccountInfo: iceServers and dtmfMode.
func (c *client) readAccountSettings(info js.Value) {
	if v := field(info, "iceServers"); appType(v) == js.TypeObject {
		if list, err := iceServersFromJS(v); err == nil {
			c.settings.SetICEServers(list)
		} else {
			logger.Warnf("sipAccountInfo.iceServers ignored: %v", err)
		}
	}
	if m := str(field(info, "dtmfMode")); m != "" {
		if err := c.settings.SetDTMFMode(m); err != nil {
			logger.Warnf("sipAccountInfo.dtmfMode ignored: %v", err)
		}
	}
}

// iceServersFromJS reads an RTCIceServer list ({urls, username, credential}).
func iceServersFromJS(v js.Value) ([]media.ICEServer, error) {
	text, err := jsonText(v)
	if err != nil {
		return nil, err
	}
	return sdkclient.ParseICEServers([]byte(text))
}

// setIceServers(list) (ext): STUN/TURN for calls and diagnostics.
func (c *client) setIceServers(args []js.Value) any {
	list, err := iceServersFromJS(arg(args, 0))
	if err != nil {
		logger.Warnf("setIceServers: %v", err)
		return false
	}
	c.settings.SetICEServers(list)
	return true
}

// getIceServers() (ext).
func (c *client) getIceServers([]js.Value) any {
	return iceServersToJS(c.settings.ICEServers())
}

func (c *client) setPreferredCodec(args []js.Value) any {
	name, ok := text(arg(args, 0))
	if !ok && appType(arg(args, 0)) != js.TypeUndefined {
		logger.Warnf("setPreferredCodec needs a codec name such as 'opus' or 'PCMU'")
		return nil
	}
	if err := c.settings.SetPreferredCodec(name); err != nil {
		logger.Warnf("setPreferredCodec: %v", err)
	}
	return nil
}

func (c *client) setNoiseSuppression(args []js.Value) any {
	c.settings.SetNoiseSuppression(truthy(arg(args, 0)))
	return nil
}

// setDtmfMode('info' | 'rfc4733') (ext); also sipAccountInfo.dtmfMode.
func (c *client) setDTMFMode(args []js.Value) any {
	if err := c.settings.SetDTMFMode(str(arg(args, 0))); err != nil {
		logger.Warnf("setDtmfMode: %v", err)
		return false
	}
	if p := c.currentPhone(""); p != nil {
		p.SetDTMFMode(c.settings.DTMFMode())
	}
	return true
}

// setCallAudioOutputVolume(v): the remote audio's volume, 0..1; NaN and
// ±Infinity are refused (the audio element would throw on them).
func (c *client) setCallVolume(args []js.Value) any {
	f, ok := finite(arg(args, 0))
	if !ok {
		logger.Warnf("setCallAudioOutputVolume needs a finite number 0..1")
		return nil
	}
	v, err := c.settings.SetCallVolume(f)
	if err != nil {
		logger.Warnf("setCallAudioOutputVolume: %v", err)
		return nil
	}
	for _, s := range c.devices.activeSessions() {
		setField(s.audio, "volume", v)
	}
	return nil
}

// setAudioOutputVolume(name, v) / setSoundVolume(name, v): a tone's volume.
func (c *client) setToneVolume(args []js.Value) any {
	name := str(arg(args, 0))
	v, ok := finite(arg(args, 1))
	if !ok || !c.tones.SetVolume(name, v) {
		logger.Warnf("unknown tone %q or volume that is not a finite number (tones: ringtone, ringbacktone, dtmftone, beeptone)", name)
		return false
	}
	return true
}
