// Command wasm-size reports where the bytes of a Go-built WebAssembly binary
// go: it sums code-section function body sizes per Go package, using the
// function names from the "name" custom section (so build without -s, e.g.
// WASM_KEEP_NAMES=1 bash scripts/build-wasm.sh), and lists the sections' sizes.
// The data section (pclntab, type data, strings: about 40% of the brotli
// size) is not attributed.
//
// Usage: go run ./scripts/wasm-size [-n 30] [-funcs N] [-pkg prefix] [-pkgs file] file.wasm
// With -pkgs (the output of GOOS=js GOARCH=wasm go list -deps ./wasm) package
// paths are exact; without it they are guessed from the mangled names.
package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
)

func main() {
	top := flag.Int("n", 30, "number of packages to list")
	funcs := flag.Int("funcs", 0, "also list the N largest functions")
	pkgFilter := flag.String("pkg", "", "only list functions of packages with this prefix (with -funcs)")
	pkgList := flag.String("pkgs", "", "file listing the binary's packages one a line (go list -deps), for exact names")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: wasm-size [-n 30] [-funcs N] [-pkg prefix] [-pkgs file] file.wasm")
		os.Exit(2)
	}
	b, err := os.ReadFile(flag.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	m, err := parse(b)
	if err != nil {
		fmt.Fprintln(os.Stderr, "wasm-size:", err)
		os.Exit(1)
	}
	known := map[string]string{}
	if *pkgList != "" {
		l, err := os.ReadFile(*pkgList)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		for _, p := range strings.Fields(string(l)) {
			known[sanitize(p)] = p
		}
	}
	report(m, *top, *funcs, *pkgFilter, known)
}

type section struct {
	id   byte
	name string // custom sections only
	body []byte
}

type module struct {
	total    int
	sections []section
	imports  int      // imported functions (they come first in the index space)
	bodies   []int    // code body sizes, defined function order
	names    []string // by function index (imports included)
}

var sectionNames = map[byte]string{0: "custom", 1: "type", 2: "import", 3: "function", 4: "table",
	5: "memory", 6: "global", 7: "export", 8: "start", 9: "element", 10: "code", 11: "data", 12: "datacount"}

type reader struct {
	b   []byte
	off int
	err error
}

func (r *reader) u32() uint32 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b[r.off:])
	if n <= 0 || v > 1<<32-1 {
		r.err = fmt.Errorf("bad LEB128 at %d", r.off)
		return 0
	}
	r.off += n
	return uint32(v)
}

func (r *reader) bytes(n int) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || r.off+n > len(r.b) {
		r.err = fmt.Errorf("truncated at %d (want %d bytes)", r.off, n)
		return nil
	}
	s := r.b[r.off : r.off+n]
	r.off += n
	return s
}

func (r *reader) byte1() byte {
	s := r.bytes(1)
	if s == nil {
		return 0
	}
	return s[0]
}

func (r *reader) name() string { return string(r.bytes(int(r.u32()))) }

func parse(b []byte) (*module, error) {
	if len(b) < 8 || !bytes.Equal(b[:4], []byte("\x00asm")) {
		return nil, errors.New("not a wasm binary")
	}
	m := &module{total: len(b)}
	r := &reader{b: b, off: 8}
	for r.off < len(b) && r.err == nil {
		id := r.byte1()
		body := r.bytes(int(r.u32()))
		s := section{id: id, body: body}
		if id == 0 && r.err == nil {
			sr := &reader{b: body}
			s.name = sr.name()
			if sr.err != nil {
				return nil, sr.err
			}
			s.body = body[sr.off:]
		}
		m.sections = append(m.sections, s)
	}
	if r.err != nil {
		return nil, r.err
	}
	for _, s := range m.sections {
		var err error
		switch {
		case s.id == 2:
			err = m.parseImports(s.body)
		case s.id == 10:
			err = m.parseCode(s.body)
		case s.id == 0 && s.name == "name":
			err = m.parseNames(s.body)
		}
		if err != nil {
			return nil, fmt.Errorf("section %d %s: %w", s.id, s.name, err)
		}
	}
	return m, nil
}

func (m *module) parseImports(b []byte) error {
	r := &reader{b: b}
	for n := r.u32(); n > 0 && r.err == nil; n-- {
		r.name()
		r.name()
		switch kind := r.byte1(); kind {
		case 0: // func
			r.u32()
			m.imports++
		case 1: // table
			r.byte1()
			limits(r)
		case 2: // memory
			limits(r)
		case 3: // global
			r.byte1()
			r.byte1()
		default:
			return fmt.Errorf("unknown import kind %d", kind)
		}
	}
	return r.err
}

func limits(r *reader) {
	if r.byte1()&1 != 0 {
		r.u32()
	}
	r.u32()
}

func (m *module) parseCode(b []byte) error {
	r := &reader{b: b}
	for n := r.u32(); n > 0 && r.err == nil; n-- {
		start := r.off
		size := int(r.u32())
		r.bytes(size)
		m.bodies = append(m.bodies, r.off-start)
	}
	return r.err
}

func (m *module) parseNames(b []byte) error {
	r := &reader{b: b}
	for r.off < len(b) && r.err == nil {
		id := r.byte1()
		sub := r.bytes(int(r.u32()))
		if id != 1 || r.err != nil { // function names
			continue
		}
		sr := &reader{b: sub}
		for n := sr.u32(); n > 0 && sr.err == nil; n-- {
			idx := int(sr.u32())
			name := sr.name()
			for len(m.names) <= idx {
				m.names = append(m.names, "")
			}
			m.names[idx] = name
		}
		if sr.err != nil {
			return sr.err
		}
	}
	return r.err
}

// The linker writes function names with every character other than letters,
// digits, '_' and '.' replaced by '_': "github.com/a/b.(*T).M" becomes
// "github.com_a_b.__T_.M". pkgOf maps such a name back to its package: exactly
// when the package list (-pkgs) has it, else by guessing that '_' was '/'.
func pkgOf(sym string, known map[string]string) string {
	if strings.HasPrefix(sym, "type_.") || strings.HasPrefix(sym, "go_") || strings.HasPrefix(sym, "go.") {
		return "<compiler-generated>"
	}
	best := ""
	for k := range known {
		if len(k) > len(best) && strings.HasPrefix(sym, k+".") {
			best = k
		}
	}
	if best != "" {
		return known[best]
	}
	// A module path starts with a domain: its dots are not the package's end.
	start := 0
	if u := strings.IndexByte(sym, '_'); u > 0 {
		if d := strings.LastIndexByte(sym[:u], '.'); d > 0 && tlds[sym[d+1:u]] {
			start = u
		}
	}
	dot := strings.IndexByte(sym[start:], '.')
	if dot < 0 {
		if sym == "" {
			return "<unnamed>"
		}
		return "<" + sym + ">" // assembly helpers such as memeqbody, wasm_export_run
	}
	return strings.ReplaceAll(sym[:start+dot], "_", "/")
}

var tlds = map[string]bool{"com": true, "org": true, "net": true, "io": true, "in": true, "dev": true,
	"me": true, "co": true, "cc": true, "app": true, "cloud": true, "tools": true, "info": true, "uk": true, "de": true}

func sanitize(pkg string) string {
	b := []byte(pkg)
	for i, c := range b {
		if !(c == '_' || c == '.' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			b[i] = '_'
		}
	}
	return string(b)
}

type entry struct {
	name  string
	bytes int
	count int
}

func sorted(mp map[string]*entry) []*entry {
	var es []*entry
	for _, e := range mp {
		es = append(es, e)
	}
	sort.Slice(es, func(i, j int) bool {
		if es[i].bytes != es[j].bytes {
			return es[i].bytes > es[j].bytes
		}
		return es[i].name < es[j].name
	})
	return es
}

func group(pkg string) string {
	switch {
	case strings.HasPrefix(pkg, "github.com/webphone/exotelsdk"):
		return "this module"
	case strings.HasPrefix(pkg, "<"):
		return pkg
	case strings.Contains(strings.SplitN(pkg, "/", 2)[0], "."):
		parts := strings.Split(pkg, "/")
		if len(parts) > 3 {
			parts = parts[:3]
		}
		return strings.Join(parts, "/")
	case strings.HasPrefix(pkg, "runtime") || strings.HasPrefix(pkg, "internal/runtime"):
		return "runtime"
	default:
		return "std " + strings.SplitN(strings.TrimPrefix(pkg, "vendor/"), "/", 2)[0]
	}
}

func report(m *module, top, nfuncs int, pkgFilter string, known map[string]string) {
	kb := func(n int) string { return fmt.Sprintf("%8.1f KB", float64(n)/1024) }
	fmt.Printf("file %s\n\nsections:\n", kb(m.total))
	for _, s := range m.sections {
		n := sectionNames[s.id]
		if s.name != "" {
			n += " " + strconvQuote(s.name)
		}
		fmt.Printf("  %-22s %s\n", n, kb(len(s.body)))
	}
	if len(m.names) == 0 {
		fmt.Println("\nno name section: build without -ldflags=-s to attribute code to packages")
		return
	}
	pkgs := map[string]*entry{}
	groups := map[string]*entry{}
	var fns []*entry
	code := 0
	for i, size := range m.bodies {
		name := ""
		if idx := m.imports + i; idx < len(m.names) {
			name = m.names[idx]
		}
		code += size
		add := func(mp map[string]*entry, k string) {
			e := mp[k]
			if e == nil {
				e = &entry{name: k}
				mp[k] = e
			}
			e.bytes += size
			e.count++
		}
		p := pkgOf(name, known)
		add(pkgs, p)
		add(groups, group(p))
		if pkgFilter == "" || strings.HasPrefix(p, pkgFilter) {
			fns = append(fns, &entry{name: name, bytes: size})
		}
	}
	fmt.Printf("\ncode: %d functions, %s (packages: %d)\n\ntop %d packages by code bytes:\n", len(m.bodies), kb(code), len(pkgs), top)
	for i, e := range sorted(pkgs) {
		if i == top {
			break
		}
		fmt.Printf("  %s %5.1f%% %6d fn  %s\n", kb(e.bytes), 100*float64(e.bytes)/float64(code), e.count, e.name)
	}
	fmt.Printf("\nby origin:\n")
	for _, e := range sorted(groups) {
		fmt.Printf("  %s %5.1f%% %6d fn  %s\n", kb(e.bytes), 100*float64(e.bytes)/float64(code), e.count, e.name)
	}
	if nfuncs > 0 {
		sort.Slice(fns, func(i, j int) bool { return fns[i].bytes > fns[j].bytes })
		fmt.Printf("\ntop %d functions:\n", nfuncs)
		for i, f := range fns {
			if i == nfuncs {
				break
			}
			fmt.Printf("  %s  %s\n", kb(f.bytes), f.name)
		}
	}
}

func strconvQuote(s string) string { return fmt.Sprintf("%q", s) }
