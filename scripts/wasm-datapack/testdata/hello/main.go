// Command hello is a small Go program for wasm-datapack's test. Its output
// depends on initialised data (a table and strings) and zeroed memory, on
// the runtime's tables for frame sizes and stack maps (a deep stack, grown
// and scanned by the GC with pointers on it), and on the file and line
// tables (where it is, from runtime.CallersFrames).
package main

import (
	"fmt"
	"hash/crc32"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
)

var table = [...]uint16{1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 42}

var zeroed [4096]byte

func main() {
	sum := 0
	for _, v := range table {
		sum += int(v)
	}
	for _, b := range zeroed {
		sum += int(b)
	}
	fmt.Printf("hello %d %08x\n", sum, crc32.ChecksumIEEE([]byte(fmt.Sprint(table))))
	frames, kept := deep(3000, nil)
	fmt.Println("kept", kept)
	fmt.Println(strings.Join(frames, "\n"))
	fmt.Print("stack:\n", stack)
}

// stack is the trace that deep's bottom frame takes, as a panic report would.
var stack string

// deep recurses n times, so that the goroutine's stack grows (the runtime
// copies it, using the frame sizes and stack maps), with a pointer in every
// frame that a GC at the bottom must find.
func deep(n int, keep []*int) ([]string, int) {
	if n == 0 {
		runtime.GC()
		stack = string(debug.Stack())
		sum := 0
		for _, p := range keep {
			sum += *p
		}
		return where(), sum
	}
	x := n
	return deep(n-1, append(keep, &x))
}

// where lists the calling frames of package main: function file:line.
func where() []string {
	pcs := make([]uintptr, 8)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(1, pcs)])
	var out []string
	for {
		f, more := frames.Next()
		if strings.HasPrefix(f.Function, "main.") {
			out = append(out, fmt.Sprintf("%s %s:%d", f.Function, filepath.Base(f.File), f.Line))
		}
		if !more {
			return out
		}
	}
}
