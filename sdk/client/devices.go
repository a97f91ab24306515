package client

// Device is one entry of navigator.mediaDevices.enumerateDevices().
type Device struct {
	ID      string `json:"deviceId"`
	Kind    string `json:"kind"` // audioinput, audiooutput, videoinput
	Label   string `json:"label"`
	GroupID string `json:"groupId"`
}

// FindDevice returns the device of a kind with an id; "" and "default" mean
// the system default, which is the "default" entry in Chromium and the first
// entry of the kind elsewhere.
func FindDevice(list []Device, kind, id string) (Device, bool) {
	if id == "" {
		id = "default"
	}
	for _, d := range list {
		if d.Kind == kind && d.ID == id {
			return d, true
		}
	}
	if id == "default" {
		return DefaultDevice(list, kind)
	}
	return Device{}, false
}

// DefaultDevice is the system default of a kind.
func DefaultDevice(list []Device, kind string) (Device, bool) {
	var first *Device
	for i, d := range list {
		if d.Kind != kind {
			continue
		}
		if d.ID == "default" {
			return d, true
		}
		if first == nil {
			first = &list[i]
		}
	}
	if first != nil {
		return *first, true
	}
	return Device{}, false
}

// PhysicalDefault is the real device behind Chromium's "default" entry (the
// one of the same group), which is what an app would select.
func PhysicalDefault(list []Device, kind string) (Device, bool) {
	def, ok := DefaultDevice(list, kind)
	if !ok || def.ID != "default" {
		return def, ok
	}
	for _, d := range list {
		if d.Kind == kind && d.ID != "default" && d.ID != "communications" && d.GroupID == def.GroupID {
			return d, true
		}
	}
	return def, true
}

// Labelled tells whether the browser shows device labels (it hides them
// until the page may use the microphone).
func Labelled(list []Device) bool {
	for _, d := range list {
		if d.Kind == "audioinput" && d.Label != "" {
			return true
		}
	}
	return false
}

// DeviceMoved tells whether the device of a kind in use changed between two
// lists: the chosen one vanished, or the default changed while none is
// chosen. now is the device used from now on.
func DeviceMoved(prev, list []Device, kind, chosen string) (moved bool, now Device) {
	now, ok := PhysicalDefault(list, kind)
	if !ok {
		return false, now
	}
	if chosen != "" && chosen != "default" {
		_, still := FindDevice(list, kind, chosen)
		return !still, now
	}
	before, had := DefaultDevice(prev, kind)
	after, _ := DefaultDevice(list, kind)
	return !had || before.GroupID != after.GroupID || before.Label != after.Label, now
}

// SameDevices compares two lists, order included.
func SameDevices(a, b []Device) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
