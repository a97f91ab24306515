package tabs

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/valyala/fastjson"
)

// The bus carries messages as JSON text. It is read with fastjson and
// written by hand rather than with encoding/json: the phone has no other use
// for reflection-based JSON, and leaving it out of the wasm saves 18 KB
// brotli. Empty fields are left out, as with `omitempty`.

// encode writes m as JSON.
func (m message) encode() []byte {
	var w jsonObject
	w.number("v", int64(m.V))
	w.str("account", m.Account)
	w.str("from", m.From)
	w.str("type", m.Type)
	w.str("token", m.Token)
	w.str("status", m.Status)
	w.str("reg", m.Reg)
	w.str("event", m.Event)
	if m.Call != nil {
		w.raw("call", encodeCall(*m.Call))
	}
	if len(m.Calls) > 0 {
		list := []byte{'['}
		for i, c := range m.Calls {
			if i > 0 {
				list = append(list, ',')
			}
			list = append(list, encodeCall(c)...)
		}
		w.raw("calls", append(list, ']'))
	}
	w.str("id", m.ID)
	w.str("to", m.To)
	w.str("cmd", m.Cmd)
	w.str("digit", m.Digit)
	w.str("target", m.Target)
	w.str("other", m.Other)
	w.str("callId", m.CallID)
	if m.OK {
		w.raw("ok", []byte("true"))
	}
	w.str("error", m.Error)
	return w.close()
}

func encodeCall(c CallSnapshot) []byte {
	var w jsonObject
	w.always("callId", c.CallID)
	w.str("callSid", c.CallSid)
	w.always("direction", c.Direction)
	w.always("remoteId", c.RemoteID)
	w.always("remoteDisplayName", c.RemoteDisplayName)
	w.always("state", c.State)
	w.raw("muted", strconv.AppendBool(nil, c.Muted))
	w.raw("held", strconv.AppendBool(nil, c.Held))
	if c.InConference {
		w.raw("inConference", []byte("true"))
	}
	w.number("startedMs", c.StartedMs)
	w.number("establishedMs", c.EstablishedMs)
	w.number("endedMs", c.EndedMs)
	w.str("endReason", c.EndReason)
	return w.close()
}

// jsonObject writes one JSON object, a member at a time. (fastjson's own
// writer quotes strings the Go way, \x10, which is not JSON.)
type jsonObject struct{ b []byte }

func (w *jsonObject) key(k string) {
	if len(w.b) == 0 {
		w.b = append(w.b, '{')
	} else {
		w.b = append(w.b, ',')
	}
	w.b = appendJSONString(w.b, k)
	w.b = append(w.b, ':')
}

// str writes a string member, left out when empty (as omitempty).
func (w *jsonObject) str(k, v string) {
	if v != "" {
		w.always(k, v)
	}
}

func (w *jsonObject) always(k, v string) { w.key(k); w.b = appendJSONString(w.b, v) }

// number writes an integer member, left out when 0.
func (w *jsonObject) number(k string, n int64) {
	if n != 0 {
		w.key(k)
		w.b = strconv.AppendInt(w.b, n, 10)
	}
}

func (w *jsonObject) raw(k string, v []byte) { w.key(k); w.b = append(w.b, v...) }

func (w *jsonObject) close() []byte {
	if len(w.b) == 0 {
		return []byte("{}")
	}
	return append(w.b, '}')
}

// appendJSONString quotes s as a JSON string: quote, backslash and control
// characters escaped, invalid UTF-8 replaced by U+FFFD (as encoding/json).
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, "\\ufffd"...)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
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
		Target: r.str("target"), Other: r.str("other"),
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
		Muted: r.boolean("muted"), Held: r.boolean("held"), InConference: r.boolean("inConference"),
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
		return strings.ToValidUTF8(string(v.GetStringBytes()), "\uFFFD")
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
