package pcmu

import (
	"sync"
	"time"

	"github.com/pion/webrtc/v3"
)

// settleWait bounds how long a close waits for ICE to settle.
const settleWait = 3 * time.Second

// Closer returns the way to close pc safely. pion v3 races PeerConnection.Close
// against the ICE start that SetRemoteDescription runs in the background (a
// data race the race detector reports when a call is hung up right after it
// is answered); that start is over once ICE is connected or has failed. The
// returned function closes pc on a goroutine of its own after ICE settles,
// waiting at most 3 s, and returns at once. It takes pc's ICE connection
// state handler.
func Closer(pc *webrtc.PeerConnection) func() {
	settled := make(chan struct{})
	var once sync.Once
	pc.OnICEConnectionStateChange(func(s webrtc.ICEConnectionState) {
		switch s {
		case webrtc.ICEConnectionStateConnected, webrtc.ICEConnectionStateCompleted,
			webrtc.ICEConnectionStateFailed, webrtc.ICEConnectionStateClosed:
			once.Do(func() { close(settled) })
		}
	})
	return func() {
		starting := pc.RemoteDescription() != nil && pc.LocalDescription() != nil
		go func() {
			if starting {
				select {
				case <-settled:
				case <-time.After(settleWait):
				}
			}
			_ = pc.Close()
		}()
	}
}
