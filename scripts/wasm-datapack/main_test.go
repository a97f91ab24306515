package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"
)

// module builds a WebAssembly binary with a type section and a data section
// holding segs, in that order.
func module(segs ...segment) []byte {
	m := []byte("\x00asm\x01\x00\x00\x00")
	types := []byte{0x01, 0x60, 0x00, 0x00} // one type: () -> ()
	m = append(m, 1, byte(len(types)))
	m = append(m, types...)
	data := writeSegments(segs)
	m = append(m, sectionData)
	m = appendULEB(m, uint64(len(data)))
	return append(m, data...)
}

// segmentsOf parses the data section of m.
func segmentsOf(t *testing.T, m []byte) []segment {
	for p := 8; p < len(m); {
		r := reader{b: m, p: p + 1}
		size := int(r.uleb())
		require.NoError(t, r.err)
		if m[p] == sectionData {
			segs, err := readSegments(m[r.p : r.p+size])
			require.NoError(t, err)
			return segs
		}
		p = r.p + size
	}
	t.Fatal("no data section")
	return nil
}

func TestPackJoinsSegmentsAcrossShortGapsAndKeepsTheMemory(t *testing.T) {
	in := module(
		segment{offset: 10, data: []byte("ab")},
		segment{offset: 20, data: []byte("cd")},
		segment{offset: 5000, data: []byte("ef")},
		segment{offset: 100, data: []byte("x")}, // out of order, as Go's sections can be
	)
	out, before, after, err := pack(in, 1024)
	require.NoError(t, err)
	require.Equal(t, 4, before)
	require.Equal(t, 2, after)
	require.Equal(t, in[:14], out[:14], "the header and the type section are copied as they are")

	got := segmentsOf(t, out)
	want := append([]byte("ab"), make([]byte, 8)...)
	want = append(want, "cd"...)
	want = append(want, make([]byte, 100-22)...)
	want = append(want, 'x')
	require.Equal(t, []segment{{offset: 10, data: want}, {offset: 5000, data: []byte("ef")}}, got)
}

func TestPackRefusesWhatItCannotKeep(t *testing.T) {
	_, _, _, err := pack([]byte("not wasm at all"), 1024)
	require.ErrorContains(t, err, "not a WebAssembly binary")

	_, _, _, err = pack(module(segment{offset: 0, data: []byte("abcd")}, segment{offset: 2, data: []byte("x")}), 1024)
	require.ErrorContains(t, err, "overlap")

	passive := module()
	passive = passive[:len(passive)-2]
	passive = append(passive, 4, 1, 1, 1, 'z') // section size 4: one passive segment "z"
	_, _, _, err = pack(passive, 1024)
	require.ErrorContains(t, err, "flags 1")

	noData := []byte("\x00asm\x01\x00\x00\x00")
	_, _, _, err = pack(noData, 1024)
	require.ErrorContains(t, err, "no data section")
}

// TestPackedGoProgramRuns packs what Go's linker writes for a real program
// and runs it under Node: it must print what the unpacked one prints, from
// far fewer segments.
func TestPackedGoProgramRuns(t *testing.T) {
	node, err := exec.LookPath("node")
	require.NoError(t, err, "the test needs Node, as the wasm tests do")
	dir := t.TempDir()
	wasm := filepath.Join(dir, "hello.wasm")
	build := exec.Command("go", "build", "-o", wasm, "./testdata/hello")
	build.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "%s", out)

	run := func() string {
		cmd := exec.Command(node, filepath.Join(runtime.GOROOT(), "lib", "wasm", "wasm_exec_node.js"), wasm)
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "%s", out)
		return string(out)
	}
	plain := run()
	require.Contains(t, plain, "hello 50 ")

	in, err := os.ReadFile(wasm)
	require.NoError(t, err)
	packed, before, after, err := pack(in, 1024)
	require.NoError(t, err)
	require.Less(t, after*10, before, "Go's linker cuts the data into many segments; packing joins most")
	require.False(t, bytes.Equal(in, packed))
	require.NoError(t, os.WriteFile(wasm, packed, 0o644))
	require.Equal(t, plain, run())
}
