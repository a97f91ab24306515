//go:build js && wasm

package jsbridge

import "syscall/js"

// webRTCSupported tells whether this browser has what a call needs.
func webRTCSupported() bool {
	g := js.Global()
	md := g.Get("navigator").Get("mediaDevices")
	return g.Get("RTCPeerConnection").Truthy() && g.Get("WebSocket").Truthy() &&
		md.Truthy() && md.Get("getUserMedia").Truthy()
}

// microphoneDenied tells whether calls cannot get a microphone: the
// permission is refused, or the browser lists no audio input. It asks nothing
// of the user (no getUserMedia prompt). It must run on a goroutine.
func microphoneDenied() bool {
	nav := js.Global().Get("navigator")
	if perms := nav.Get("permissions"); perms.Truthy() {
		if st, err := await(perms.Call("query", object(map[string]any{"name": "microphone"}))); err == nil {
			if st.Get("state").String() == "denied" {
				return true
			}
		}
	}
	md := nav.Get("mediaDevices")
	if !md.Truthy() || !md.Get("enumerateDevices").Truthy() {
		return true
	}
	devices, err := await(md.Call("enumerateDevices"))
	if err != nil {
		return false
	}
	for i := 0; i < devices.Length(); i++ {
		if devices.Index(i).Get("kind").String() == "audioinput" {
			return false
		}
	}
	return true
}
