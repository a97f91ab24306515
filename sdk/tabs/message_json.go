package tabs

import (
	"fmt"
	"strconv"

	"github.com/valyala/fastjson"
)

// The bus carries messages as JSON text. It is read and written with
// fastjson rather than encoding/json: the phone has no other use for
// reflection-based JSON, and leaving it out of the wasm saves about 57 KB
// brotli. Empty fields are left out, as with `omitempty`.

// encode writes m as JSON.
func (m message) encode() []byte {
	var a fastjson.Arena
	o := a.NewObject()
	o.Set("v", a.NewNumberInt(m.V))
	setString(&a, o, "account", m.Account)
	setString(&a, o, "from", m.From)
	setString(&a, o, "type", m.Type)
	setString(&a, o, "token", m.Token)
	setString(&a, o, "status", m.Status)
	setString(&a, o, "reg", m.Reg)
	setString(&a, o, "event", m.Event)
	if m.Call != nil {
		o.Set("call", encodeCall(&a, *m.Call))
	}
	if len(m.Calls) > 0 {
		list := a.NewArray()
		for i, c := range m.Calls {
			list.SetArrayItem(i, encodeCall(&a, c))
		}
		o.Set("calls", list)
	}
	setString(&a, o, "id", m.ID)
	setString(&a, o, "to", m.To)
	setString(&a, o, "cmd", m.Cmd)
	setString(&a, o, "digit", m.Digit)
	setString(&a, o, "callId", m.CallID)
	if m.OK {
		o.Set("ok", a.NewTrue())
	}
	setString(&a, o, "error", m.Error)
	return o.MarshalTo(nil)
}

func encodeCall(a *fastjson.Arena, c CallSnapshot) *fastjson.Value {
	o := a.NewObject()
	o.Set("callId", a.NewString(c.CallID))
	setString(a, o, "callSid", c.CallSid)
	o.Set("direction", a.NewString(c.Direction))
	o.Set("remoteId", a.NewString(c.RemoteID))
	o.Set("remoteDisplayName", a.NewString(c.RemoteDisplayName))
	o.Set("state", a.NewString(c.State))
	o.Set("muted", a.NewFalse())
	if c.Muted {
		o.Set("muted", a.NewTrue())
	}
	o.Set("held", a.NewFalse())
	if c.Held {
		o.Set("held", a.NewTrue())
	}
	for _, t := range []struct {
		key string
		ms  int64
	}{{"startedMs", c.StartedMs}, {"establishedMs", c.EstablishedMs}, {"endedMs", c.EndedMs}} {
		if t.ms != 0 {
			o.Set(t.key, a.NewNumberString(strconv.FormatInt(t.ms, 10)))
		}
	}
	setString(a, o, "endReason", c.EndReason)
	return o
}

func setString(a *fastjson.Arena, o *fastjson.Value, key, s string) {
	if s != "" {
		o.Set(key, a.NewString(s))
	}
}

// parseMessage reads a message's JSON text. A field of the wrong type
// (a number for a string, a string for the call, ...) makes the whole
// message an error, as it did with encoding/json; absent fields are empty.
func parseMessage(b []byte) (message, error) {
	v, err := fastjson.ParseBytes(b)
	if err != nil {
		return message{}, err
	}
	o, err := v.Object()
	if err != nil {
		return message{}, err
	}
	r := fieldReader{o: o}
	m := message{
		V:       int(r.integer("v")),
		Account: r.str("account"), From: r.str("from"), Type: r.str("type"),
		Token: r.str("token"), Status: r.str("status"), Reg: r.str("reg"), Event: r.str("event"),
		ID: r.str("id"), To: r.str("to"), Cmd: r.str("cmd"), Digit: r.str("digit"),
		CallID: r.str("callId"), OK: r.boolean("ok"), Error: r.str("error"),
	}
	if call := o.Get("call"); call != nil && call.Type() != fastjson.TypeNull {
		c, err := parseCall(call)
		if err != nil {
			return message{}, err
		}
		m.Call = &c
	}
	if calls := o.Get("calls"); calls != nil && calls.Type() != fastjson.TypeNull {
		items, err := calls.Array()
		if err != nil {
			return message{}, fmt.Errorf("calls: %w", err)
		}
		if len(items) > maxCalls {
			return message{}, fmt.Errorf("%d calls in one message", len(items))
		}
		for _, item := range items {
			c, err := parseCall(item)
			if err != nil {
				return message{}, err
			}
			m.Calls = append(m.Calls, c)
		}
	}
	return m, r.err
}

func parseCall(v *fastjson.Value) (CallSnapshot, error) {
	o, err := v.Object()
	if err != nil {
		return CallSnapshot{}, fmt.Errorf("call: %w", err)
	}
	r := fieldReader{o: o}
	c := CallSnapshot{
		CallID: r.str("callId"), CallSid: r.str("callSid"), Direction: r.str("direction"),
		RemoteID: r.str("remoteId"), RemoteDisplayName: r.str("remoteDisplayName"), State: r.str("state"),
		Muted: r.boolean("muted"), Held: r.boolean("held"),
		StartedMs: r.integer("startedMs"), EstablishedMs: r.integer("establishedMs"), EndedMs: r.integer("endedMs"),
		EndReason: r.str("endReason"),
	}
	return c, r.err
}

// fieldReader reads typed fields of one JSON object and keeps the first
// type error.
type fieldReader struct {
	o   *fastjson.Object
	err error
}

func (r *fieldReader) get(key string, want fastjson.Type) *fastjson.Value {
	v := r.o.Get(key)
	if v == nil || v.Type() == fastjson.TypeNull {
		return nil
	}
	if v.Type() != want && !(want == fastjson.TypeTrue && v.Type() == fastjson.TypeFalse) {
		if r.err == nil {
			r.err = fmt.Errorf("%s: not a %s", key, want)
		}
		return nil
	}
	return v
}

func (r *fieldReader) str(key string) string {
	if v := r.get(key, fastjson.TypeString); v != nil {
		return string(v.GetStringBytes())
	}
	return ""
}

func (r *fieldReader) boolean(key string) bool {
	if v := r.get(key, fastjson.TypeTrue); v != nil {
		return v.Type() == fastjson.TypeTrue
	}
	return false
}

func (r *fieldReader) integer(key string) int64 {
	v := r.get(key, fastjson.TypeNumber)
	if v == nil {
		return 0
	}
	n, err := v.Int64()
	if err != nil && r.err == nil {
		r.err = fmt.Errorf("%s: %w", key, err)
	}
	return n
}
