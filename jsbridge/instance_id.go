//go:build js && wasm

package jsbridge

import (
	"sync"
	"syscall/js"

	"github.com/webphone/exotelsdk/sdk/sipua"
)

// instanceIDs are the RFC 5626 instance ids made in this page when
// sessionStorage cannot keep them (storage disabled, sandboxed frame,
// private mode quota): stable for the page's life at least.
var instanceIDs = struct {
	sync.Mutex
	byAccount map[string]string
}{byAccount: map[string]string{}}

// stableInstanceID returns the +sip.instance UUID of an account (its AOR)
// in this tab: read from sessionStorage, or made and stored there. A reload
// registers as the same instance, so the registrar keeps one binding instead
// of one per reload; two tabs are two instances with a binding each (with
// localStorage the second tab would replace the first one's binding, and
// calls would ring only in the newest tab).
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

// storageGet reads sessionStorage[key], or "" when there is no storage or
// reading it throws (a SecurityError in some embedded frames): the getter
// and the call go through the guarded accessors.
func storageGet(key string) string {
	st := field(js.Global(), "sessionStorage")
	if !isObject(st) {
		return ""
	}
	v, err := guardedCall(st, "getItem", key)
	if err != nil {
		logger.Debugf("sessionStorage unavailable: %v", err)
		return ""
	}
	return str(v)
}

// storageSet writes sessionStorage[key] = value when it can.
func storageSet(key, value string) {
	st := field(js.Global(), "sessionStorage")
	if !isObject(st) {
		return
	}
	if _, err := guardedCall(st, "setItem", key, value); err != nil {
		logger.Debugf("sessionStorage not writable: %v", err)
	}
}
