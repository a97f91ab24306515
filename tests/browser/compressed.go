package browser

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"net"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// ServeCompressed serves the repository root as a production server would
// serve the SDK's files: the .wasm and .js gzip-compressed (for a browser
// that accepts it; Go has no brotli encoder, which would be ~28% smaller
// still), with cacheControl on every response ("no-store" for a cold
// load, "max-age=3600" for a warm one). The start-up benchmark's WAN rows
// are meaningless over an uncompressed 6 MB wasm.
func ServeCompressed(t testing.TB, cacheControl string) string {
	t.Helper()
	root := RepoRoot(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	fs := http.FileServer(http.Dir(root))
	var mu sync.Mutex
	cache := map[string][]byte{} // path and mtime → gzip bytes
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", cacheControl)
		ext := path.Ext(r.URL.Path)
		if (ext != ".wasm" && ext != ".js" && ext != ".mjs") || !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			fs.ServeHTTP(w, r)
			return
		}
		file := filepath.Join(root, filepath.FromSlash(path.Clean("/"+r.URL.Path)))
		st, err := os.Stat(file)
		if err != nil {
			fs.ServeHTTP(w, r)
			return
		}
		key := fmt.Sprintf("%s@%d", file, st.ModTime().UnixNano())
		mu.Lock()
		body, ok := cache[key]
		mu.Unlock()
		if !ok {
			raw, err := os.ReadFile(file)
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			var buf bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
			zw.Write(raw)
			zw.Close()
			body = buf.Bytes()
			mu.Lock()
			cache[key] = body
			mu.Unlock()
		}
		w.Header().Set("Content-Type", map[bool]string{true: "application/wasm", false: "text/javascript"}[ext == ".wasm"])
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Vary", "Accept-Encoding")
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		w.Write(body)
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return fmt.Sprintf("http://%s", ln.Addr())
}
