package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
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
	out, r, err := pack(in, options{gap: 1024})
	require.NoError(t, err)
	require.Equal(t, 4, r.before)
	require.Equal(t, 2, r.after)
	require.Equal(t, in[:14], out[:14], "the header and the type section are copied as they are")

	got := segmentsOf(t, out)
	want := append([]byte("ab"), make([]byte, 8)...)
	want = append(want, "cd"...)
	want = append(want, make([]byte, 100-22)...)
	want = append(want, 'x')
	require.Equal(t, []segment{{offset: 10, data: want}, {offset: 5000, data: []byte("ef")}}, got)
}

func TestPackRefusesWhatItCannotKeep(t *testing.T) {
	_, _, err := pack([]byte("not wasm at all"), options{gap: 1024})
	require.ErrorContains(t, err, "not a WebAssembly binary")

	_, _, err = pack(module(segment{offset: 0, data: []byte("abcd")}, segment{offset: 2, data: []byte("x")}), options{gap: 1024})
	require.ErrorContains(t, err, "overlap")

	passive := module()
	passive = passive[:len(passive)-2]
	passive = append(passive, 4, 1, 1, 1, 'z') // section size 4: one passive segment "z"
	_, _, err = pack(passive, options{gap: 1024})
	require.ErrorContains(t, err, "flags 1")

	noData := []byte("\x00asm\x01\x00\x00\x00")
	_, _, err = pack(noData, options{gap: 1024})
	require.ErrorContains(t, err, "no data section")
}

// TestPackedGoProgramRuns packs what Go's linker writes for a real program
// and runs it under Node: with the line tables kept it must print exactly
// what the unpacked one prints, from far fewer segments; with them compacted
// the same, except that each frame's line is its function's first.
func TestPackedGoProgramRuns(t *testing.T) {
	node, err := exec.LookPath("node")
	require.NoError(t, err, "the test needs Node, as the wasm tests do")
	dir := t.TempDir()
	wasm := filepath.Join(dir, "hello.wasm")
	build := exec.Command("go", "build", "-o", wasm, "./testdata/hello")
	build.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "%s", out)
	linked, err := os.ReadFile(wasm)
	require.NoError(t, err)

	var traces []string // of each run
	run := func(module []byte) []string {
		file := filepath.Join(dir, "run.wasm")
		require.NoError(t, os.WriteFile(file, module, 0o644))
		cmd := exec.Command(node, filepath.Join(runtime.GOROOT(), "lib", "wasm", "wasm_exec_node.js"), file)
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "%s", out)
		lines, trace, _ := strings.Cut(string(out), "stack:\n")
		traces = append(traces, trace)
		return strings.Split(strings.TrimSpace(lines), "\n")
	}
	plain := run(linked)
	require.Equal(t, "hello 50 090a5d1d", plain[0])
	require.Equal(t, "kept 4501500", plain[1]) // 1+2+...+3000
	require.Len(t, plain, 2+8, "where, deep ×7")
	require.Regexp(t, `^main\.where main\.go:\d+$`, plain[2])

	joined, r, err := pack(linked, options{gap: 1024})
	require.NoError(t, err)
	require.Less(t, r.after*10, r.before, "Go's linker cuts the data into many segments; packing joins most")
	require.Zero(t, r.linesFreed)
	require.False(t, bytes.Equal(linked, joined))
	require.Equal(t, plain, run(joined))

	compacted, r, err := pack(linked, options{gap: 1024, compactLines: true})
	require.NoError(t, err)
	require.Greater(t, r.linesFreed, 10_000)
	got := run(compacted)
	require.Equal(t, plain[:2], got[:2])
	require.Len(t, got, len(plain))
	source, err := os.ReadFile("testdata/hello/main.go")
	require.NoError(t, err)
	for i, frame := range got[2:] {
		fn, _, _ := strings.Cut(frame, " ")
		want := fmt.Sprintf("%s main.go:%d", fn, funcLine(t, string(source), strings.TrimPrefix(fn, "main.")))
		require.Equal(t, want, frame, "frame %d (was %q)", i, plain[2+i])
		require.NotEqual(t, plain[2+i], frame, "the exact line is gone")
	}

	// -where gives the exact lines back: the compacted build's trace,
	// looked up in the build with lines, reads as the unpacked one's.
	exact, compactedTrace := frameLines(traces[0]), frameLines(traces[2])
	require.Len(t, compactedTrace, len(exact))
	require.Greater(t, len(exact), 3)
	for i, f := range compactedTrace {
		require.Equal(t, exact[i].frame, f.frame, "same code, same offsets")
		line, err := where(joined, f.frame)
		require.NoError(t, err)
		require.Equal(t, exact[i].line, line)
	}
	_, err = where(joined, "main.nosuch +0x1")
	require.ErrorContains(t, err, "no function")
}

type traceFrame struct{ frame, line string }

// frameLines picks the frames of package main out of a Go stack trace:
// "main.deep(...)" then "\t/path/main.go:44 +0x1f" become
// {"main.deep +0x1f", "/path/main.go:44"}.
func frameLines(trace string) []traceFrame {
	lines := strings.Split(trace, "\n")
	var out []traceFrame
	for i := 0; i+1 < len(lines); i++ {
		if !strings.HasPrefix(lines[i], "main.") {
			continue
		}
		fn, _, _ := strings.Cut(lines[i], "(")
		loc, off, ok := strings.Cut(strings.TrimSpace(lines[i+1]), " +0x")
		if ok {
			out = append(out, traceFrame{fn + " +0x" + off, loc})
		}
	}
	return out
}

// funcLine is the line of source that declares func name.
func funcLine(t *testing.T, source, name string) int {
	for i, line := range strings.Split(source, "\n") {
		if strings.HasPrefix(line, "func "+name+"(") {
			return i + 1
		}
	}
	t.Fatalf("no func %s in the source", name)
	return 0
}
