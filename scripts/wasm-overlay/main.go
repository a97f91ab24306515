// Command wasm-overlay prepares the module replacements of the SDK's wasm
// build (see manifest.txt): for every module listed there that the build uses,
// it copies the module from the module cache into -out, checks each listed
// file's sha256 and version, edits the copy, and writes -out/go.mod (the
// project's go.mod plus `replace` lines) and -out/go.sum for
// `go build -modfile`. It prints that go.mod's path.
//
// Go's own -overlay flag cannot be used here: it refuses to replace files in
// the module cache.
//
// Usage (from the module root): go run ./scripts/wasm-overlay [-out dir] [packages]
// The packages (default ./wasm) are listed with GOOS=js GOARCH=wasm.
package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

const marker = ".wasm-overlay-output"

type edit struct {
	module, version, file, sum, action string
	line                               int
}

type module struct {
	path, version, dir, replace string
}

func main() {
	here := flag.String("dir", "scripts/wasm-overlay", "directory of manifest.txt and the files it names")
	out := flag.String("out", "scripts/wasm-overlay/.build", "output directory (recreated)")
	flag.Parse()
	pkgs := flag.Args()
	if len(pkgs) == 0 {
		pkgs = []string{"./wasm"}
	}
	modfile, err := run(*here, *out, pkgs)
	if err != nil {
		fmt.Fprintln(os.Stderr, "wasm-overlay: "+err.Error())
		os.Exit(1)
	}
	fmt.Println(modfile)
}

func run(here, out string, pkgs []string) (string, error) {
	edits, err := readManifest(filepath.Join(here, "manifest.txt"))
	if err != nil {
		return "", err
	}
	gomod, err := goOut(nil, "env", "GOMOD")
	if err != nil {
		return "", err
	}
	gomod = strings.TrimSpace(gomod)
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("not inside a module")
	}
	root := filepath.Dir(gomod)
	used, err := buildModules(pkgs)
	if err != nil {
		return "", err
	}

	absOut, err := filepath.Abs(out)
	if err != nil {
		return "", err
	}
	if err := resetDir(absOut); err != nil {
		return "", err
	}

	byModule := map[string][]edit{}
	var order []string
	for _, e := range edits {
		if byModule[e.module] == nil {
			order = append(order, e.module)
		}
		byModule[e.module] = append(byModule[e.module], e)
	}
	var replaces []string
	var applied []string
	for _, path := range order {
		m, ok := used[path]
		if !ok {
			continue // not linked into this build
		}
		es := byModule[path]
		if m.replace != "" {
			return "", fmt.Errorf("go.mod replaces %s (=> %s): the wasm overlay is made for the module cache's %s@%s; update scripts/wasm-overlay", path, m.replace, path, es[0].version)
		}
		if m.version != es[0].version {
			return "", fmt.Errorf("the wasm build uses %s@%s but scripts/wasm-overlay/manifest.txt edits %s@%s: redo the edits for the new version (or keep the old one) and update the manifest", path, m.version, path, es[0].version)
		}
		if m.dir == "" {
			return "", fmt.Errorf("%s@%s is not in the module cache (run go mod download)", path, m.version)
		}
		dst := filepath.Join(absOut, strings.ReplaceAll(path, "/", "_")+"@"+m.version)
		if err := copyTree(m.dir, dst); err != nil {
			return "", err
		}
		for _, e := range es {
			if err := apply(here, dst, e); err != nil {
				return "", fmt.Errorf("manifest.txt:%d: %s@%s %s: %w", e.line, e.module, e.version, e.file, err)
			}
		}
		rel, err := filepath.Rel(root, dst)
		if err != nil {
			return "", err
		}
		if !strings.HasPrefix(rel, "..") {
			rel = "./" + filepath.ToSlash(rel) // relative to the module root: reproducible build info
		} else {
			rel = dst
		}
		replaces = append(replaces, fmt.Sprintf("replace %s => %s\n", path, rel))
		applied = append(applied, fmt.Sprintf("%s@%s (%d files)", path, m.version, len(es)))
	}

	src, err := os.ReadFile(gomod)
	if err != nil {
		return "", err
	}
	if len(src) > 0 && src[len(src)-1] != '\n' {
		src = append(src, '\n')
	}
	src = append(src, "\n// Added by scripts/wasm-overlay for the wasm build.\n"...)
	src = append(src, strings.Join(replaces, "")...)
	if err := os.WriteFile(filepath.Join(absOut, "go.mod"), src, 0o644); err != nil {
		return "", err
	}
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(absOut, "go.sum"), sum, 0o644); err != nil {
		return "", err
	}
	if len(applied) == 0 {
		fmt.Fprintln(os.Stderr, "wasm-overlay: no listed module is in this build")
	} else {
		fmt.Fprintln(os.Stderr, "wasm-overlay: "+strings.Join(applied, ", "))
	}
	return filepath.Join(absOut, "go.mod"), nil
}

func readManifest(name string) ([]edit, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var edits []edit
	s := bufio.NewScanner(f)
	for n := 1; s.Scan(); n++ {
		line := strings.TrimSpace(s.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fl := strings.Fields(line)
		if len(fl) != 5 {
			return nil, fmt.Errorf("%s:%d: want 5 fields: module version file sha256 action", name, n)
		}
		edits = append(edits, edit{module: fl[0], version: fl[1], file: fl[2], sum: fl[3], action: fl[4], line: n})
	}
	for i, e := range edits {
		for _, o := range edits[:i] {
			if o.module == e.module && o.version != e.version {
				return nil, fmt.Errorf("%s:%d: %s listed with two versions", name, e.line, e.module)
			}
		}
	}
	return edits, s.Err()
}

// buildModules lists the modules that provide the packages of the wasm build.
func buildModules(pkgs []string) (map[string]module, error) {
	env := []string{"GOOS=js", "GOARCH=wasm"}
	args := append([]string{"list", "-deps", "-f",
		"{{with .Module}}{{.Path}}\t{{.Version}}\t{{.Dir}}\t{{with .Replace}}{{.Path}}{{end}}{{end}}"}, pkgs...)
	text, err := goOut(env, args...)
	if err != nil {
		return nil, err
	}
	mods := map[string]module{}
	for _, l := range strings.Split(text, "\n") {
		f := strings.Split(l, "\t")
		if len(f) != 4 {
			continue
		}
		mods[f[0]] = module{path: f[0], version: f[1], dir: f[2], replace: f[3]}
	}
	return mods, nil
}

func goOut(env []string, args ...string) (string, error) {
	cmd := exec.Command("go", args...)
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	b, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return string(b), nil
}

// resetDir empties dir, refusing to touch a directory that this tool did not make.
func resetDir(dir string) error {
	if _, err := os.Stat(dir); err == nil {
		if _, err := os.Stat(filepath.Join(dir, marker)); err != nil {
			return fmt.Errorf("%s exists and was not made by wasm-overlay; remove it or pick another -out", dir)
		}
		if err := os.RemoveAll(dir); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, marker), []byte("made by scripts/wasm-overlay; deleted on each wasm build\n"), 0o644)
}

// copyTree copies a module directory (read-only in the module cache) to dst as writable files.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		t := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(t, 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(t, b, 0o644)
	})
}

func apply(here, modDir string, e edit) error {
	target := filepath.Join(modDir, filepath.FromSlash(e.file))
	orig, err := os.ReadFile(target)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(orig)
	if got := hex.EncodeToString(sum[:]); got != e.sum {
		return fmt.Errorf("sha256 is %s, the manifest expects %s: the file changed, redo its edit", got, e.sum)
	}
	var result []byte
	switch {
	case e.action == "empty":
		f, err := parser.ParseFile(token.NewFileSet(), target, orig, parser.PackageClauseOnly)
		if err != nil {
			return err
		}
		result = []byte("// Emptied for the exotelsdk wasm build by scripts/wasm-overlay.\n\npackage " + f.Name.Name + "\n")
	case strings.HasSuffix(e.action, ".patch"):
		diff, err := os.ReadFile(filepath.Join(here, e.action))
		if err != nil {
			return err
		}
		if result, err = patch(orig, diff); err != nil {
			return fmt.Errorf("%s: %w", e.action, err)
		}
	default:
		if result, err = os.ReadFile(filepath.Join(here, e.action)); err != nil {
			return err
		}
	}
	return os.WriteFile(target, result, 0o644)
}

var hunkRE = regexp.MustCompile(`^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@`)

// patch applies a unified diff to src, requiring every hunk to match exactly
// where it says.
func patch(src, diff []byte) ([]byte, error) {
	lines := strings.SplitAfter(string(src), "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	dl := strings.SplitAfter(string(diff), "\n")
	var out []string
	pos := 0 // next line of src to copy
	hunks := 0
	for i := 0; i < len(dl); {
		m := hunkRE.FindStringSubmatch(dl[i])
		if m == nil {
			i++
			continue
		}
		hunks++
		start, _ := strconv.Atoi(m[1])
		oldLen := 1
		if m[2] != "" {
			oldLen, _ = strconv.Atoi(m[2])
		}
		if oldLen == 0 {
			start++ // "-N,0" means "after line N"
		}
		if start-1 < pos || start-1 > len(lines) {
			return nil, fmt.Errorf("hunk %d: bad position %d", hunks, start)
		}
		out = append(out, lines[pos:start-1]...)
		pos = start - 1
		for i++; i < len(dl); i++ {
			l := dl[i]
			if l == "" || strings.HasPrefix(l, "@@") {
				break
			}
			if l == "\n" {
				l = " \n" // an empty context line whose space an editor dropped
			}
			switch l[0] {
			case ' ', '-':
				if pos >= len(lines) || lines[pos] != l[1:] {
					return nil, fmt.Errorf("hunk %d does not match at line %d", hunks, pos+1)
				}
				if l[0] == ' ' {
					out = append(out, lines[pos])
				}
				pos++
			case '+':
				out = append(out, l[1:])
			case '\\':
				return nil, fmt.Errorf("hunk %d: %q is not supported", hunks, strings.TrimSpace(l))
			default:
				return nil, fmt.Errorf("hunk %d: unexpected line %q", hunks, l)
			}
		}
	}
	if hunks == 0 {
		return nil, errors.New("no hunks")
	}
	out = append(out, lines[pos:]...)
	return []byte(strings.Join(out, "")), nil
}
