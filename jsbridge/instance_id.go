//go:build js && wasm

package jsbridge

import (
	"sync"
	"syscall/js"

	"github.com/webphone/exotelsdk/sdk/sipua"
)

// instanceIDs are the RFC 5626 instance ids made in this page when
// localStorage cannot keep them (storage disabled, sandboxed frame,
// private mode quota): stable for the page's life at least.
var instanceIDs = struct {
	sync.Mutex
	byAccount map[string]string
}{byAccount: map[string]string{}}

// stableInstanceID returns the +sip.instance UUID of an account (its AOR)
// in this browser: read from localStorage, or made and stored there, so
// that every page load registers as the same instance and Kamailio keeps
// one binding instead of one per reload.
func stableInstanceID(aor string) string {
	key := "exotelsdk.instance:" + aor
	if v := storageGet(key); sipua.IsUUID(v) {
		return v
	}
	instanceIDs.Lock()
	defer instanceIDs.Unlock()
	id := instanceIDs.byAccount[aor]
	if id == "" {
		id = sipua.NewInstanceUUID()
		instanceIDs.byAccount[aor] = id
	}
	storageSet(key, id)
	return id
}

// storageGet reads localStorage[key], or "" when there is no storage or
// reading it throws (a SecurityError in some embedded frames).
func storageGet(key string) (v string) {
	defer func() {
		if r := recover(); r != nil {
			logger.Debugf("localStorage unavailable: %v", r)
			v = ""
		}
	}()
	ls := js.Global().Get("localStorage")
	if ls.Type() != js.TypeObject {
		return ""
	}
	if s := ls.Call("getItem", key); s.Type() == js.TypeString {
		return s.String()
	}
	return ""
}

// storageSet writes localStorage[key] = value when it can.
func storageSet(key, value string) {
	defer func() {
		if r := recover(); r != nil {
			logger.Debugf("localStorage not writable: %v", r)
		}
	}()
	if ls := js.Global().Get("localStorage"); ls.Type() == js.TypeObject {
		ls.Call("setItem", key, value)
	}
}
