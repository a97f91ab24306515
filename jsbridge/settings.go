//go:build js && wasm

package jsbridge

import (
	"encoding/json"
	"sync"
	"syscall/js"

	"github.com/webphone/exotelsdk/sdk/media"
)

// callSettings is what a client's next calls use: ICE servers, codec, noise
// suppression and the DTMF mode. Calls read them when they start.
type callSettings struct {
	mu               sync.Mutex
	iceServers       []media.ICEServer
	preferredCodec   string
	noiseSuppression *bool
	dtmf             media.DTMFMode
}

// readAccount takes the ext options an app may put in sipAccountInfo:
// iceServers and dtmfMode.
func (s *callSettings) readAccount(info js.Value) {
	if v := info.Get("iceServers"); v.Type() == js.TypeObject {
		if list, err := iceServersFromJS(v); err == nil {
			s.mu.Lock()
			s.iceServers = list
			s.mu.Unlock()
		} else {
			logger.Warnf("sipAccountInfo.iceServers ignored: %v", err)
		}
	}
	if m := str(info.Get("dtmfMode")); m != "" {
		s.setDTMF(m)
	}
}

func (s *callSettings) setDTMF(mode string) bool {
	switch media.DTMFMode(mode) {
	case media.DTMFInfo, media.DTMFRFC4733:
		s.mu.Lock()
		s.dtmf = media.DTMFMode(mode)
		s.mu.Unlock()
		return true
	}
	logger.Warnf("unknown dtmfMode %q (use 'info' or 'rfc4733')", mode)
	return false
}

func (s *callSettings) dtmfMode() media.DTMFMode {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dtmf
}

// mediaOptions is read by each new call.
func (s *callSettings) mediaOptions() media.Options {
	s.mu.Lock()
	defer s.mu.Unlock()
	return media.Options{
		ICEServers:       append([]media.ICEServer(nil), s.iceServers...),
		PreferredCodec:   s.preferredCodec,
		NoiseSuppression: s.noiseSuppression,
	}
}

// iceServersFromJS reads an RTCIceServer list ({urls, username, credential}).
func iceServersFromJS(v js.Value) ([]media.ICEServer, error) {
	text := js.Global().Get("JSON").Call("stringify", v).String()
	var raw []struct {
		URLs       any    `json:"urls"`
		Username   string `json:"username"`
		Credential string `json:"credential"`
	}
	if err := json.Unmarshal([]byte(text), &raw); err != nil {
		return nil, err
	}
	out := []media.ICEServer{}
	for _, r := range raw {
		s := media.ICEServer{Username: r.Username, Credential: r.Credential}
		switch u := r.URLs.(type) {
		case string:
			s.URLs = []string{u}
		case []any:
			for _, x := range u {
				if str, ok := x.(string); ok {
					s.URLs = append(s.URLs, str)
				}
			}
		}
		if len(s.URLs) == 0 {
			continue
		}
		out = append(out, s)
	}
	return out, nil
}

// setIceServers(list) (ext): STUN/TURN for calls and diagnostics.
func (c *client) setIceServers(args []js.Value) any {
	list, err := iceServersFromJS(arg(args, 0))
	if err != nil {
		logger.Warnf("setIceServers: %v", err)
		return false
	}
	c.settings.mu.Lock()
	c.settings.iceServers = list
	c.settings.mu.Unlock()
	return true
}

// getIceServers() (ext).
func (c *client) getIceServers([]js.Value) any {
	c.settings.mu.Lock()
	defer c.settings.mu.Unlock()
	b, _ := json.Marshal(c.settings.iceServers)
	return js.Global().Get("JSON").Call("parse", string(b))
}

func (c *client) setPreferredCodec(args []js.Value) any {
	c.settings.mu.Lock()
	c.settings.preferredCodec = str(arg(args, 0))
	c.settings.mu.Unlock()
	return nil
}

func (c *client) setNoiseSuppression(args []js.Value) any {
	on := arg(args, 0).Truthy()
	c.settings.mu.Lock()
	c.settings.noiseSuppression = &on
	c.settings.mu.Unlock()
	c.devices.mu.Lock()
	c.devices.noiseSuppression = &on
	c.devices.mu.Unlock()
	return nil
}

// setDtmfMode('info' | 'rfc4733') (ext); also sipAccountInfo.dtmfMode.
func (c *client) setDTMFMode(args []js.Value) any {
	if !c.settings.setDTMF(str(arg(args, 0))) {
		return false
	}
	c.mu.Lock()
	p := c.phone
	c.mu.Unlock()
	if p != nil {
		p.SetDTMFMode(c.settings.dtmfMode())
	}
	return true
}

// setCallAudioOutputVolume(v): the remote audio's volume, 0..1.
func (c *client) setCallVolume(args []js.Value) any {
	v := arg(args, 0)
	if v.Type() != js.TypeNumber {
		logger.Warnf("setCallAudioOutputVolume needs a number 0..1")
		return nil
	}
	f := v.Float()
	if f < 0 {
		f = 0
	}
	if f > 1 {
		f = 1
	}
	c.devices.mu.Lock()
	c.devices.volume = f
	sessions := make([]*pcSession, 0, len(c.devices.sessions))
	for s := range c.devices.sessions {
		sessions = append(sessions, s)
	}
	c.devices.mu.Unlock()
	for _, s := range sessions {
		s.audio.Set("volume", f)
	}
	return nil
}

// setAudioOutputVolume(name, v) / setSoundVolume(name, v): a tone's volume.
func (c *client) setToneVolume(args []js.Value) any {
	name, v := str(arg(args, 0)), arg(args, 1)
	if v.Type() != js.TypeNumber || !c.tones.SetVolume(name, v.Float()) {
		logger.Warnf("unknown tone %q or volume %v (tones: ringtone, ringbacktone, dtmftone, beeptone)", name, v)
		return false
	}
	return true
}
