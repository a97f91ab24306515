package browser

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/tracing"
	"github.com/chromedp/chromedp"
)

// RendererMemory is where the renderer processes' memory is, summed over
// them like RendererRSS: from /proc (anonymous and file-backed resident
// pages) and from a Chromium memory-infra dump (each allocator's size).
type RendererMemory struct {
	Anon, File float64            // bytes: RssAnon, RssFile
	Code       float64            // bytes: resident anonymous executable mappings (V8's JIT and wasm code)
	Allocators map[string]float64 // bytes per top-level allocator dump: malloc, partition_alloc, v8, blink_gc, ...
	// MallocLive is the part of Allocators["malloc"] in live objects
	// (malloc/allocated_objects); the rest is pages malloc keeps committed,
	// free or fragmented.
	MallocLive float64
}

// RendererMemory reads /proc and takes a detailed memory-infra dump
// (Tracing.requestMemoryDump, which collects garbage first).
func (b *Browser) RendererMemory(t testing.TB) RendererMemory {
	t.Helper()
	m := RendererMemory{Allocators: map[string]float64{}}
	status := b.rendererStatus()
	m.Anon, m.File = status["RssAnon:"], status["RssFile:"]
	m.Code = b.rendererCode()
	events := b.memoryDump(t)
	renderer := map[int]bool{}
	for _, ev := range events {
		if ev.Ph == "M" && ev.Name == "process_name" && ev.Args.Name == "Renderer" {
			renderer[ev.Pid] = true
		}
	}
	for _, ev := range events {
		if ev.Ph != "v" || !renderer[ev.Pid] {
			continue
		}
		for name, a := range ev.Args.Dumps.Allocators {
			sz, ok := a.Attrs["size"]
			if !ok {
				continue
			}
			v, _ := strconv.ParseUint(sz.Value, 16, 64)
			switch {
			case !strings.Contains(name, "/"):
				m.Allocators[name] += float64(v)
			case name == "malloc/allocated_objects":
				m.MallocLive += float64(v)
			}
		}
	}
	return m
}

// traceEvent is what RendererMemory reads of a trace event.
type traceEvent struct {
	Ph   string `json:"ph"`
	Name string `json:"name"`
	Pid  int    `json:"pid"`
	Args struct {
		Name  string `json:"name"` // of a process_name metadata event
		Dumps struct {
			Allocators map[string]struct {
				Attrs map[string]struct {
					Value string `json:"value"` // hex
				} `json:"attrs"`
			} `json:"allocators"`
		} `json:"dumps"`
	} `json:"args"`
}

// memoryDump traces the memory-infra category around one explicit dump of
// every process and returns the trace's dump and metadata events.
func (b *Browser) memoryDump(t testing.TB) []traceEvent {
	t.Helper()
	raw := b.trace(t, &tracing.TraceConfig{
		IncludedCategories: []string{"-*", "disabled-by-default-memory-infra"},
		MemoryDumpConfig:   tracing.MemoryDumpConfig{"triggers": []any{}}, // no periodic dumps
	}, func(ctx context.Context, s cdp.Session) {
		deterministic := true
		r, err := cdp.Call(ctx, s, tracing.RequestMemoryDump, tracing.RequestMemoryDumpParams{
			Deterministic: &deterministic, LevelOfDetail: tracing.MemoryDumpLevelOfDetailDetailed})
		if err != nil || !r.Success {
			t.Fatalf("Tracing.requestMemoryDump: %v (success %v)", err, r.Success)
		}
	})
	var events []traceEvent
	for _, r := range raw {
		var e traceEvent
		if json.Unmarshal(r, &e) == nil && (e.Ph == "v" || e.Ph == "M") {
			events = append(events, e)
		}
	}
	return events
}

// RendererPIDs are the browser's renderer processes.
func (b *Browser) RendererPIDs() []int {
	root := chromedp.FromContext(b.ctx).Browser.Process().Pid
	parents := map[int]int{}
	var renderers []int
	dirs, _ := os.ReadDir("/proc")
	for _, d := range dirs {
		pid, err := strconv.Atoi(d.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces, so split after ')'.
		if f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:])); len(f) > 1 {
			parents[pid], _ = strconv.Atoi(f[1])
		}
		if cmd, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid)); strings.Contains(string(cmd), "--type=renderer") {
			renderers = append(renderers, pid)
		}
	}
	var out []int
	for _, pid := range renderers {
		for p, i := pid, 0; i < 10 && p > 1; i++ {
			if p = parents[p]; p == root {
				out = append(out, pid)
				break
			}
		}
	}
	return out
}

// rendererCode sums, over the renderers' /proc/<pid>/smaps, the resident
// pages of the anonymous mappings that are executable: compiled code. (The
// wasm's linear memory cannot be told apart so: it lives in V8's sandbox
// reservation with the JS heap.)
func (b *Browser) rendererCode() (code float64) {
	for _, pid := range b.RendererPIDs() {
		smaps, err := os.ReadFile(fmt.Sprintf("/proc/%d/smaps", pid))
		if err != nil {
			continue
		}
		var exec bool
		for _, line := range strings.Split(string(smaps), "\n") {
			f := strings.Fields(line)
			if len(f) >= 5 && strings.Contains(f[0], "-") && len(f[1]) == 4 {
				anon := len(f) == 5 || strings.HasPrefix(f[5], "[anon")
				exec = anon && f[1][2] == 'x'
				continue
			}
			if len(f) == 3 && f[0] == "Rss:" {
				kb, _ := strconv.ParseFloat(f[1], 64)
				if exec {
					code += kb * 1024
				}
			}
		}
	}
	return code
}
