package perf

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"sync"
)

// Row is one line of the results table: a figure, what it is compared
// with, their ratio and the target the ratio (or the figure) must meet.
type Row struct {
	Name     string
	Figure   string
	Baseline string
	Ratio    float64 // 0 when the row has no baseline
	Target   string  // "" for a row that only informs
	Met      bool
}

// Verdict is "ok", "MISSED" or "" for a row without a target.
func (r Row) Verdict() string {
	switch {
	case r.Target == "":
		return ""
	case r.Met:
		return "ok"
	}
	return "MISSED"
}

// Table collects rows from benchmarks that may run one after another or
// side by side.
type Table struct {
	mu   sync.Mutex
	rows []Row
}

// Add appends a row.
func (t *Table) Add(r Row) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.rows = append(t.rows, r)
}

// Len is the number of rows.
func (t *Table) Len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.rows)
}

// WriteMarkdown writes the rows as a Markdown table.
func (t *Table) WriteMarkdown(w io.Writer) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	var b strings.Builder
	b.WriteString("| benchmark | figure | baseline | ratio | target | |\n|---|---:|---:|---:|---|---|\n")
	for _, r := range t.rows {
		ratio := ""
		if r.Ratio != 0 {
			ratio = fmt.Sprintf("%.2f", r.Ratio)
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", r.Name, r.Figure, r.Baseline, ratio, r.Target, r.Verdict())
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Machine says where a run happened: the table means little without it.
type Machine struct {
	CPUs int
	CPU  string
	Go   string
	Load string // the load average when the run started: others may share the machine
}

// ReadMachine reads the machine's description from /proc and the runtime.
func ReadMachine() Machine {
	m := Machine{CPUs: runtime.NumCPU(), CPU: "unknown", Go: runtime.Version(), Load: "unknown"}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.SplitSeq(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		if f := strings.Fields(string(b)); len(f) >= 3 {
			m.Load = strings.Join(f[:3], " ")
		}
	}
	return m
}

func (m Machine) String() string {
	return fmt.Sprintf("%d CPUs (nproc), %s, %s, load average %s at the start", m.CPUs, m.CPU, m.Go, m.Load)
}
