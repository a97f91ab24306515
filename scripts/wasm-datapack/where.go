package main

import (
	"bytes"
	"encoding/binary"
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
	// As one segment: in a build that was not packed, Go's segments cut the
	// table wherever it holds 8 zero bytes.
	t, err := findPclntab([]segment{{offset: 0, data: image(segs)}})
	if err != nil {
		return "", err
	}
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
		if cstring(t.funcnames, int(t.field(rec, funcNameOff))) != name {
			continue
		}
		fileIndex, err := t.valueAt(t.field(rec, funcPCFile), target)
		if err != nil {
			return "", err
		}
		line, err := t.valueAt(t.field(rec, funcPCLn), target)
		if err != nil {
			return "", err
		}
		fileOff := binary.LittleEndian.Uint32(t.cutab[4*(int(t.field(rec, funcCUOffset))+int(fileIndex)):])
		return fmt.Sprintf("%s:%d", cstring(t.filetab, int(fileOff)), line), nil
	}
	return "", fmt.Errorf("no function %q in the module", name)
}
