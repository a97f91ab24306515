package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// where gives the exact file:line of a stack trace frame, "function +0xNN"
// as Go prints it, from a build whose line tables are kept
// (WASM_KEEP_LINES=1): the wasm the SDK ships compacts them (linetables.go)
// but keeps the same code and so the same offsets. Like Go's traceback, it
// looks up the PC before the offset, the call that the frame is in.
func where(module []byte, frame string) (string, error) {
	name, offText, ok := strings.Cut(strings.TrimSpace(frame), " +0x")
	if !ok {
		return "", fmt.Errorf("frame %q: want \"function +0xNN\"", frame)
	}
	name = strings.TrimSuffix(strings.TrimSuffix(name, "(...)"), "()")
	off, err := strconv.ParseUint(offText, 16, 32)
	if err != nil {
		return "", fmt.Errorf("frame %q: bad offset: %w", frame, err)
	}
	segs, err := dataSegments(module)
	if err != nil {
		return "", err
	}
	mem := image(segs)
	at := -1
	for i := 0; i+8 <= len(mem); i += 8 {
		if bytes.Equal(mem[i:i+8], pclnHeaderStart) {
			at = i
			break
		}
	}
	if at < 0 {
		return "", errors.New("no Go 1.20+ pclntab for wasm found")
	}
	hdr := mem[at:]
	t, err := readPclntab(hdr)
	if err != nil {
		return "", err
	}
	field := func(k int) int { return int(binary.LittleEndian.Uint64(hdr[8+8*k:])) }
	funcnames, cutab, filetab := hdr[field(3):], hdr[field(4):], hdr[field(5):]
	cstring := func(b []byte, off int) string {
		if end := bytes.IndexByte(b[off:], 0); end >= 0 {
			return string(b[off : off+end])
		}
		return ""
	}
	target := off
	if target > 0 {
		target--
	}
	for _, rec := range t.records {
		u := func(k int) uint32 { return binary.LittleEndian.Uint32(t.pcln[rec+4*k:]) }
		if cstring(funcnames, int(u(1))) != name {
			continue
		}
		fileIndex, err := t.valueAt(u(5), target)
		if err != nil {
			return "", err
		}
		line, err := t.valueAt(u(6), target)
		if err != nil {
			return "", err
		}
		fileOff := binary.LittleEndian.Uint32(cutab[4*(int(u(8))+int(fileIndex)):])
		return fmt.Sprintf("%s:%d", cstring(filetab, int(fileOff)), line), nil
	}
	return "", fmt.Errorf("no function %q in the module", name)
}

// valueAt decodes the table at off up to the PC offset target.
func (t *pclntab) valueAt(off uint32, target uint64) (int32, error) {
	if off == 0 {
		return 0, errors.New("the function has no such table")
	}
	r := reader{b: t.pctab, p: int(off)}
	val, pc := int32(-1), uint64(0)
	for first := true; ; first = false {
		if r.p < len(r.b) && r.b[r.p] == 0 && !first {
			return val, nil // the table ended: the last value runs on
		}
		delta := uint32(r.uleb())
		val += int32(-(delta & 1) ^ (delta >> 1))
		pc += r.uleb()
		if r.err != nil {
			return 0, fmt.Errorf("pc table at %d: %w", off, r.err)
		}
		if target < pc {
			return val, nil
		}
	}
}
