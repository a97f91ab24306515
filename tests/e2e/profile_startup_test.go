package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/webphone/exotelsdk/tests/browser"
	"github.com/webphone/exotelsdk/tests/kamailio"
)

// TestProfileStartup is the tool behind the start-up section of
// docs/architecture.md, not a figure (skipped unless EXOTELSDK_BENCH=1):
//
//   - it prints the marks of PROFILE_LOADS (default 6) warm loads of the
//     SDK's page (files cacheable, loopback), in ms since `ready`;
//   - then it traces one more load (PROFILE_COLD=1: a cold one instead)
//     and prints where the page's main thread spends the window from the
//     mark PROFILE_FROM (default ready) to PROFILE_TO (default
//     registered): the trace's slices by name, and the CPU profile's
//     self time by function. Build with WASM_KEEP_NAMES=1 for Go's
//     function names. The trace goes to TRACE_OUT (default
//     $TMPDIR/exotelsdk-startup-trace.json), which DevTools' Performance
//     panel opens.
//
// PROFILE_QUERY is appended to the page's URL (e.g. "&quiet=1", console
// logging off).
func TestProfileStartup(b *testing.T) {
	benchOnly(b)
	srv := kamailio.Start(b, kamailio.Options{})
	br := browser.Launch(b, browser.Options{})
	categories := []string{"devtools.timeline", "disabled-by-default-devtools.timeline", "blink.user_timing",
		"v8", "v8.wasm", "v8.execute", "disabled-by-default-v8.cpu_profiler"}
	query := ours.page(b, srv) + os.Getenv("PROFILE_QUERY")
	loads, err := strconv.Atoi(os.Getenv("PROFILE_LOADS"))
	if err != nil || loads < 0 {
		loads = 6
	}
	var s startup
	var events []json.RawMessage
	if os.Getenv("PROFILE_COLD") == "1" {
		u := browser.ServeCompressed(b, "no-store") + query
		events = br.Trace(b, categories, func() {
			page := br.OpenWith(b, u, browser.OpenOptions{FreshProfile: true})
			defer page.Close()
			s = loadUntilRegistered(b, page, ours)
			time.Sleep(300 * time.Millisecond) // the profiler's last chunk
		})
	} else {
		u := browser.ServeCompressed(b, "max-age=3600") + query
		page := warmPage(b, br, u, ours, nil)
		defer page.Close()
		for i := 0; i < loads; i++ {
			page.Navigate(b, u)
			printMarks(loadUntilRegistered(b, page, ours))
		}
		events = br.Trace(b, categories, func() {
			page.Navigate(b, u)
			s = loadUntilRegistered(b, page, ours)
			time.Sleep(300 * time.Millisecond) // the profiler's last chunk
		})
	}
	out := os.Getenv("TRACE_OUT")
	if out == "" {
		out = os.TempDir() + "/exotelsdk-startup-trace.json"
	}
	raw, _ := json.Marshal(map[string]any{"traceEvents": events})
	if err := os.WriteFile(out, raw, 0o644); err != nil {
		b.Fatal(err)
	}
	fmt.Printf("trace: %s (%d events)\n", out, len(events))
	printMarks(s)
	printWindow(b, events, s)
}

// printMarks prints one load's marks and `registered` in time order, in ms
// since `ready`.
func printMarks(s startup) {
	type mark struct {
		name string
		t    float64
	}
	ms := []mark{{"registered", s.registered}}
	for k, v := range s.marks {
		ms = append(ms, mark{k, v})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].t < ms[j].t })
	var sb strings.Builder
	for _, m := range ms {
		fmt.Fprintf(&sb, " %s %.1f", m.name, m.t-s.marks["ready"])
	}
	fmt.Println("ms since ready:" + sb.String())
}

// traceEvent is what printWindow reads of a trace event.
type traceEvent struct {
	Name string          `json:"name"`
	Cat  string          `json:"cat"`
	Ph   string          `json:"ph"`
	Ts   float64         `json:"ts"` // µs
	Dur  float64         `json:"dur"`
	Pid  int             `json:"pid"`
	Tid  int             `json:"tid"`
	Args json.RawMessage `json:"args"`
}

// profileChunk is the part of a Profile or ProfileChunk event's args that
// printWindow reads: the CPU profile's nodes, samples and their deltas.
type profileChunk struct {
	Data struct {
		StartTime  float64 `json:"startTime"`
		CPUProfile struct {
			Nodes []struct {
				ID        int `json:"id"`
				CallFrame struct {
					FunctionName string `json:"functionName"`
					URL          string `json:"url"`
				} `json:"callFrame"`
			} `json:"nodes"`
			Samples []int `json:"samples"`
		} `json:"cpuProfile"`
		TimeDeltas []float64 `json:"timeDeltas"`
	} `json:"data"`
}

// printWindow prints, for the window PROFILE_FROM → PROFILE_TO on the
// thread that set the marks, the complete slices by name (a nested slice
// counts in its parent too) and the sampled self time of the top functions.
func printWindow(b *testing.T, raw []json.RawMessage, s startup) {
	fromMark, toMark := os.Getenv("PROFILE_FROM"), os.Getenv("PROFILE_TO")
	if fromMark == "" {
		fromMark = "ready"
	}
	var evs []traceEvent
	for _, r := range raw {
		var e traceEvent
		if json.Unmarshal(r, &e) == nil {
			evs = append(evs, e)
		}
	}
	var anchor *traceEvent
	for i := range evs {
		if evs[i].Name == "exotelsdk:"+fromMark && strings.Contains(evs[i].Cat, "user_timing") {
			anchor = &evs[i]
		}
	}
	if anchor == nil {
		b.Fatalf("no exotelsdk:%s mark in the trace", fromMark)
	}
	to := s.registered
	if toMark == "" {
		toMark = "registered"
	} else {
		to = s.marks[toMark]
	}
	from, until := anchor.Ts, anchor.Ts+(to-s.marks[fromMark])*1000
	fmt.Printf("window %s → %s: %.1f ms\n", fromMark, toMark, (until-from)/1000)

	slices := totals{}
	for _, e := range evs {
		if e.Pid == anchor.Pid && e.Tid == anchor.Tid && e.Ph == "X" && e.Ts+e.Dur >= from && e.Ts <= until {
			slices.add(e.Name, min(e.Ts+e.Dur, until)-max(e.Ts, from))
		}
	}
	slices.print("slices on the main thread", 30)

	self := totals{}
	names := map[int]string{}
	var t float64
	for _, e := range evs {
		if e.Pid != anchor.Pid || (e.Name != "Profile" && e.Name != "ProfileChunk") {
			continue
		}
		var c profileChunk
		if json.Unmarshal(e.Args, &c) != nil {
			continue
		}
		if e.Name == "Profile" {
			t = c.Data.StartTime
			continue
		}
		for _, n := range c.Data.CPUProfile.Nodes {
			name := n.CallFrame.FunctionName
			if name == "" {
				name = "(anonymous " + n.CallFrame.URL + ")"
			}
			names[n.ID] = name
		}
		for i, id := range c.Data.CPUProfile.Samples {
			t += c.Data.TimeDeltas[i]
			if t >= from && t <= until && i+1 < len(c.Data.TimeDeltas) {
				self.add(names[id], max(c.Data.TimeDeltas[i+1], 0)) // a sample lasts until the next
			}
		}
	}
	self.print("sampled self time", 40)
}

// totals sums durations (µs) and counts by name.
type totals map[string]*struct {
	us float64
	n  int
}

func (ts totals) add(name string, us float64) {
	if ts[name] == nil {
		ts[name] = &struct {
			us float64
			n  int
		}{}
	}
	ts[name].us += us
	ts[name].n++
}

func (ts totals) print(title string, top int) {
	names := make([]string, 0, len(ts))
	for k := range ts {
		names = append(names, k)
	}
	sort.Slice(names, func(i, j int) bool { return ts[names[i]].us > ts[names[j]].us })
	fmt.Printf("\n%s (ms, count):\n", title)
	for i, k := range names {
		if i == top {
			break
		}
		fmt.Printf("  %8.2f %6d  %s\n", ts[k].us/1000, ts[k].n, k)
	}
}
