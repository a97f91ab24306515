package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
)

// The Go runtime's function table (pclntab) holds, per function, tables that
// map each PC to a value: the stack frame size (pcsp), the GC stack maps and
// other runtime data (pcdata), and, for tracebacks only, the source file
// (pcfile) and line (pcln). On this SDK's wasm the file and line tables were
// 137 KB raw, 67 KB brotli: a sixteenth of the download, read only when a
// stack trace is printed.
//
// compactLineTables replaces each function's file and line tables with a
// one-entry table holding the value at the function's entry: its file and
// the line of its `func` keyword. A stack trace then still names every
// function and its file, with the function's first line instead of the
// exact statement, followed as always by the PC offset (+0x…) in the
// function, from which a build of the same version with
// WASM_KEEP_LINES=1 gives the exact line. The frame size and runtime tables
// are copied unchanged. The rewritten tables are packed at the start of the
// old ones' space and the rest is zeroed, so no other address moves.

// The pclntab layout this code knows: Go 1.20 and later, 64-bit pointers.
// pclnHeaderStart is how the pcHeader starts: the magic 0xfffffff1, two
// zero pads, the PC quantum (1 on wasm) and the pointer size (8).
var pclnHeaderStart = []byte{0xf1, 0xff, 0xff, 0xff, 0, 0, 1, 8}

// Fields of runtime._func, as indices of its uint32 words.
const (
	funcNameOff  = 1
	funcPCSP     = 4
	funcPCFile   = 5
	funcPCLn     = 6
	funcNPCData  = 7
	funcCUOffset = 8
	funcPCData   = 11 // the first of npcdata table offsets, after the record
)

const (
	funcRecordSize = 4 * funcPCData // runtime._func up to its pcdata offsets
	// wasmFuncPCSpan bounds the PCs of one function: on wasm a PC is the
	// function's index << 16 plus a resume point, so a table entry that
	// covers 1<<16 PCs covers the whole function.
	wasmFuncPCSpan = 1 << 16
)

// compactLineTables rewrites the line tables of the pclntab found in segs
// in place and returns how many bytes of table it freed. It fails, changing
// nothing, if it finds no pclntab it knows.
func compactLineTables(segs []segment) (freed int, err error) {
	t, err := findPclntab(segs)
	if err != nil {
		return 0, err
	}
	return t.compact()
}

// findPclntab finds the pclntab that starts inside one of segs, as a view
// into that segment's bytes.
func findPclntab(segs []segment) (*pclntab, error) {
	for _, s := range segs {
		for at := 0; at < len(s.data); at++ {
			i := bytes.Index(s.data[at:], pclnHeaderStart)
			if i < 0 {
				break
			}
			at += i
			if (s.offset+at)%8 != 0 { // the header is pointer-aligned
				continue
			}
			t, err := readPclntab(s.data[at:])
			if err != nil {
				continue // not a header: the magic bytes occur by chance
			}
			return t, nil
		}
	}
	return nil, errors.New("no Go 1.20+ pclntab for wasm (magic 0xfffffff1, pointer size 8) found in the data")
}

// pclntab is a view of the runtime's function table in the memory image.
type pclntab struct {
	funcnames []byte // from the function names to the end of the view
	cutab     []byte // from the compilation units' file indices
	filetab   []byte // from the file names
	pctab     []byte // the tables' region, rewritten in place
	pcln      []byte // functab, then the _func records
	records   []int  // offset in pcln of each function's _func record
}

// field is word k of the _func record at rec.
func (t *pclntab) field(rec, k int) uint32 {
	return binary.LittleEndian.Uint32(t.pcln[rec+4*k:])
}

func readPclntab(hdr []byte) (*pclntab, error) {
	if len(hdr) < 8+8*8 {
		return nil, errTruncated
	}
	field := func(k int) uint64 { return binary.LittleEndian.Uint64(hdr[8+8*k:]) }
	nfunc := field(0)
	funcname, cu, file, pctab, pcln := field(3), field(4), field(5), field(6), field(7)
	if nfunc == 0 || nfunc > 1<<20 || !(64 <= funcname && funcname <= cu && cu <= file && file <= pctab && pctab < pcln && pcln < uint64(len(hdr))) {
		return nil, errors.New("implausible pcHeader")
	}
	t := &pclntab{funcnames: hdr[funcname:], cutab: hdr[cu:], filetab: hdr[file:], pctab: hdr[pctab:pcln], pcln: hdr[pcln:]}
	if len(t.pcln) < int(nfunc+1)*8 {
		return nil, errTruncated
	}
	for f := 0; f < int(nfunc); f++ {
		off := int(binary.LittleEndian.Uint32(t.pcln[f*8+4:]))
		if off+funcRecordSize > len(t.pcln) {
			return nil, fmt.Errorf("function %d: record out of range", f)
		}
		npcdata := int(binary.LittleEndian.Uint32(t.pcln[off+4*funcNPCData:]))
		if off+funcRecordSize+4*npcdata > len(t.pcln) || npcdata > 64 {
			return nil, fmt.Errorf("function %d: implausible record", f)
		}
		t.records = append(t.records, off)
	}
	return t, nil
}

// compact writes the new tables and the offsets to them.
func (t *pclntab) compact() (int, error) {
	out := []byte{0} // offset 0 means "no table"
	kept := map[string]uint32{}
	keep := func(table []byte) uint32 {
		if off, ok := kept[string(table)]; ok {
			return off
		}
		off := uint32(len(out))
		out = append(out, table...)
		kept[string(table)] = off
		return off
	}
	type rewrite struct {
		at  int // offset in pcln of the uint32 to set
		off uint32
	}
	var rewrites []rewrite
	for f, rec := range t.records {
		copyTable := func(field int) error {
			off := t.field(rec, field)
			if off == 0 {
				return nil
			}
			table, err := t.table(off)
			if err != nil {
				return fmt.Errorf("function %d: %w", f, err)
			}
			rewrites = append(rewrites, rewrite{rec + 4*field, keep(table)})
			return nil
		}
		if err := copyTable(funcPCSP); err != nil {
			return 0, err
		}
		for k := range int(t.field(rec, funcNPCData)) {
			if err := copyTable(funcPCData + k); err != nil {
				return 0, err
			}
		}
		for _, field := range []int{funcPCFile, funcPCLn} {
			off := t.field(rec, field)
			if off == 0 {
				continue
			}
			entry, err := t.valueAt(off, 0)
			if err != nil {
				return 0, fmt.Errorf("function %d: %w", f, err)
			}
			rewrites = append(rewrites, rewrite{rec + 4*field, keep(constantTable(entry))})
		}
	}
	if len(out) > len(t.pctab) {
		return 0, fmt.Errorf("rewritten tables (%d bytes) larger than the old (%d)", len(out), len(t.pctab))
	}
	for _, r := range rewrites {
		binary.LittleEndian.PutUint32(t.pcln[r.at:], r.off)
	}
	freed := len(t.pctab) - len(out)
	copy(t.pctab, out)
	clear(t.pctab[len(out):])
	return freed, nil
}

// table returns the encoded table at off, its end marker included.
func (t *pclntab) table(off uint32) ([]byte, error) {
	r := reader{b: t.pctab, p: int(off)}
	for first := true; ; first = false {
		if _, _, ok := pcStep(&r, first); !ok {
			break
		}
	}
	if r.err != nil {
		return nil, fmt.Errorf("pc table at %d: %w", off, r.err)
	}
	return t.pctab[off:r.p], nil
}

// valueAt is the value the table at off gives at PC offset target in its
// function, as the runtime's pcvalue finds it (0 is the entry).
func (t *pclntab) valueAt(off uint32, target uint64) (int32, error) {
	if off == 0 {
		return 0, errors.New("the function has no such table")
	}
	r := reader{b: t.pctab, p: int(off)}
	val, pc := int32(-1), uint64(0)
	for first := true; ; first = false {
		dval, dpc, ok := pcStep(&r, first)
		if !ok {
			break
		}
		val, pc = val+dval, pc+dpc
		if target < pc {
			return val, nil
		}
	}
	if r.err != nil {
		return 0, fmt.Errorf("pc table at %d: %w", off, r.err)
	}
	return val, nil // the table ended: its last value runs on
}

// pcStep reads the next (value delta, PC delta) pair of a pc table, as the
// runtime's step does: varints, the value delta zigzag-encoded. At the
// table's end, a zero value delta after the first pair, it reads that byte
// and returns ok false; on bad input it returns ok false with r.err set.
func pcStep(r *reader, first bool) (dval int32, dpc uint64, ok bool) {
	if !first && r.p < len(r.b) && r.b[r.p] == 0 {
		r.p++
		return 0, 0, false
	}
	u := uint32(r.uleb())
	dpc = r.uleb()
	return int32(-(u & 1) ^ (u >> 1)), dpc, r.err == nil
}

// constantTable encodes a table that gives v for every PC of a function.
func constantTable(v int32) []byte {
	d := v + 1 // from the initial -1
	zigzag := uint32(d<<1) ^ uint32(d>>31)
	out := appendULEB(nil, uint64(zigzag))
	out = appendULEB(out, wasmFuncPCSpan)
	return append(out, 0)
}
