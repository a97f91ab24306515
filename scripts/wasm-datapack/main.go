// Command wasm-datapack rewrites the data section of a Go-built WebAssembly
// binary so that it compresses better: it joins data segments that only
// short runs of zeros separate.
//
// Go's linker (cmd/link/internal/wasm) cuts the data section into a new
// segment at every run of 8 or more zero bytes, because a segment header
// (about 8 bytes) is smaller than the zeros it skips. That is the smallest
// raw file, but the SDK's wasm is always served compressed, and there the
// trade reverses: a run of zeros costs brotli or gzip almost nothing, while
// each header carries a fresh offset that does not compress. The SDK's wasm
// had 92654 segments; joined across gaps shorter than 1 KB it has 4, and it
// is 87 KB smaller with brotli and 155 KB with gzip (raw 0.9 MB larger).
//
// Joining leaves the memory the module starts with unchanged: the tool
// rebuilds the initial memory image from the old and the new section and
// stops with an error unless they are identical. Every other section is
// copied byte for byte.
//
// It also compacts the Go function table's file and line tables, which only
// stack traces read (linetables.go; -keep-lines keeps them).
//
// Usage: go run ./scripts/wasm-datapack [-gap 1024] [-keep-lines] file.wasm (rewritten in place)
//
//	go run ./scripts/wasm-datapack -where 'pkg.Func +0x1a' file.wasm (a frame's exact line, from a -keep-lines build)
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"sort"
)

func main() {
	gap := flag.Int("gap", 1024, "join segments separated by fewer zero bytes than this")
	keepLines := flag.Bool("keep-lines", false, "keep the exact line tables (see linetables.go)")
	frame := flag.String("where", "", `print the file:line of a stack trace's frame, "function +0xNN", and change nothing`)
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: wasm-datapack [-gap 1024] [-keep-lines] file.wasm\n       wasm-datapack -where 'pkg.Func +0x1a' file.wasm")
		os.Exit(2)
	}
	file := flag.Arg(0)
	in, err := os.ReadFile(file)
	if err == nil && *frame != "" {
		var line string
		if line, err = where(in, *frame); err == nil {
			fmt.Println(line)
		}
	} else if err == nil {
		var out []byte
		var r result
		out, r, err = pack(in, options{gap: *gap, compactLines: !*keepLines})
		if err == nil {
			err = os.WriteFile(file, out, 0o644)
			fmt.Printf("wasm-datapack: %s: %d data segments joined into %d; %d bytes of line tables freed\n", file, r.before, r.after, r.linesFreed)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "wasm-datapack:", err)
		os.Exit(1)
	}
}

const sectionData = 11

// segment is an active data segment of memory 0: bytes copied to offset
// when the module is instantiated.
type segment struct {
	offset int
	data   []byte
}

// options say what pack does.
type options struct {
	gap          int  // join segments separated by fewer zero bytes than this
	compactLines bool // replace the file and line tables (linetables.go)
}

// result counts what pack did.
type result struct {
	before, after int // data segments
	linesFreed    int // bytes of pc tables freed (zeroed)
}

// pack returns module with its data section rewritten: segments joined
// across gaps of fewer than opts.gap zero bytes and, with
// opts.compactLines, the Go function table's line tables compacted. A
// module whose data section it cannot prove it keeps (a passive segment, a
// non-constant offset, overlapping segments) is an error.
func pack(module []byte, opts options) (out []byte, r result, err error) {
	found := false
	err = eachSection(module, func(id byte, section, body []byte) error {
		if id != sectionData {
			out = append(out, section...)
			return nil
		}
		if found {
			return errors.New("two data sections")
		}
		found = true
		segs, err := readSegments(body)
		if err != nil {
			return err
		}
		joined, err := join(segs, opts.gap)
		if err != nil {
			return err
		}
		if !bytes.Equal(image(segs), image(joined)) {
			return errors.New("joined segments would change the initial memory (a bug in this tool)")
		}
		if opts.compactLines {
			if r.linesFreed, err = compactLineTables(joined); err != nil {
				return err
			}
		}
		newBody := writeSegments(joined)
		out = append(out, sectionData)
		out = appendULEB(out, uint64(len(newBody)))
		out = append(out, newBody...)
		r.before, r.after = len(segs), len(joined)
		return nil
	})
	if err == nil && !found {
		err = errors.New("no data section")
	}
	if err != nil {
		return nil, result{}, err
	}
	return append(module[:8:8], out...), r, nil
}

// eachSection calls fn with each section of module in order: its id, its
// bytes (header included) and its body.
func eachSection(module []byte, fn func(id byte, section, body []byte) error) error {
	if len(module) < 8 || !bytes.Equal(module[:4], []byte("\x00asm")) {
		return errors.New("not a WebAssembly binary")
	}
	for p := 8; p < len(module); {
		id := module[p]
		sr := reader{b: module, p: p + 1}
		size := sr.uleb()
		if sr.err != nil || sr.p+int(size) > len(module) {
			return fmt.Errorf("section %d at byte %d: truncated", id, p)
		}
		next := sr.p + int(size)
		if err := fn(id, module[p:next], module[sr.p:next]); err != nil {
			return err
		}
		p = next
	}
	return nil
}

// dataSegments returns the segments of module's data section.
func dataSegments(module []byte) (segs []segment, err error) {
	found := false
	err = eachSection(module, func(id byte, _, body []byte) error {
		if id != sectionData {
			return nil
		}
		found = true
		segs, err = readSegments(body)
		return err
	})
	if err == nil && !found {
		err = errors.New("no data section")
	}
	return segs, err
}

// readSegments parses a data section's body. Go's linker writes only
// active segments of memory 0 at an i32.const offset (flags 0).
func readSegments(body []byte) ([]segment, error) {
	r := reader{b: body}
	n := r.uleb()
	segs := make([]segment, 0, n)
	for i := uint64(0); i < n && r.err == nil; i++ {
		if flags := r.uleb(); flags != 0 {
			return nil, fmt.Errorf("data segment %d: flags %d (only active segments of memory 0 are handled)", i, flags)
		}
		if op := r.byte(); op != 0x41 { // i32.const
			return nil, fmt.Errorf("data segment %d: offset is not an i32.const", i)
		}
		offset := r.sleb()
		if end := r.byte(); end != 0x0b {
			return nil, fmt.Errorf("data segment %d: offset expression longer than one i32.const", i)
		}
		size := int(r.uleb())
		data := r.bytes(size)
		if r.err == nil && offset < 0 {
			return nil, fmt.Errorf("data segment %d: negative offset", i)
		}
		segs = append(segs, segment{offset: int(offset), data: data})
	}
	if r.err != nil {
		return nil, fmt.Errorf("data section: %w", r.err)
	}
	if r.p != len(body) {
		return nil, fmt.Errorf("data section: %d bytes after the last segment", len(body)-r.p)
	}
	return segs, nil
}

// join sorts segs by offset and merges neighbours separated by fewer than
// gap bytes, writing the zeros between them out.
func join(segs []segment, gap int) ([]segment, error) {
	sorted := append([]segment(nil), segs...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].offset < sorted[j].offset })
	var out []segment
	for _, s := range sorted {
		if n := len(out); n > 0 {
			last := &out[n-1]
			end := last.offset + len(last.data)
			if s.offset < end {
				return nil, fmt.Errorf("data segments overlap at offset %d", s.offset)
			}
			if s.offset-end < gap {
				last.data = append(last.data, make([]byte, s.offset-end)...)
				last.data = append(last.data, s.data...)
				continue
			}
		}
		out = append(out, segment{offset: s.offset, data: append([]byte(nil), s.data...)})
	}
	return out, nil
}

// image is the initial memory the segments describe, up to their last byte,
// written in section order as instantiation does.
func image(segs []segment) []byte {
	size := 0
	for _, s := range segs {
		size = max(size, s.offset+len(s.data))
	}
	mem := make([]byte, size)
	for _, s := range segs {
		copy(mem[s.offset:], s.data)
	}
	return mem
}

func writeSegments(segs []segment) []byte {
	out := appendULEB(nil, uint64(len(segs)))
	for _, s := range segs {
		out = append(out, 0, 0x41) // active, memory 0; i32.const
		out = appendSLEB(out, int64(s.offset))
		out = append(out, 0x0b)
		out = appendULEB(out, uint64(len(s.data)))
		out = append(out, s.data...)
	}
	return out
}
