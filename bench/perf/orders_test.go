package perf

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkOrdersPerContact imports one customer with many orders (a
// long-time customer, a shared office address) and as many customers with
// one order each, then previews the first: the time per order must not
// grow with the customer's orders, and 10,000 orders of one customer cost
// about what 10,000 customers' single orders cost.
func BenchmarkOrdersPerContact(b *testing.B) {
	ctx := context.Background()
	per := map[int]time.Duration{}
	var ws *Workspace
	for _, n := range []int{500, 10_000} {
		one, w := ordersImport(b, n, true)
		ws = w
		many, _ := ordersImport(b, n, false)
		per[n] = one.Wall / time.Duration(n)
		r := one.Wall.Seconds() / many.Wall.Seconds()
		results.Add(Row{Name: fmt.Sprintf("import one contact with %d orders (CPU %s)", n, Seconds(one.CPU)), Figure: Seconds(one.Wall),
			Baseline: fmt.Sprintf("%s (%d one-order contacts)", Seconds(many.Wall), n),
			Ratio:    r, Target: "≤ 2", Met: r <= 2})
	}
	ratio := per[10_000].Seconds() / per[500].Seconds()
	results.Add(Row{Name: "time per order, one contact with 10000 vs 500 orders", Figure: per[10_000].String(),
		Baseline: per[500].String(), Ratio: ratio, Target: "≤ 2 (linear)", Met: ratio <= 2})
	pv, err := ws.Rapport(ctx, importNow, "preview", "long@example.com")
	if err != nil || pv.ExitCode != 0 {
		b.Fatalf("rapport preview: %v %s", err, pv.Stderr)
	}
	results.Add(Row{Name: "preview of the contact with 10000 orders", Figure: Seconds(pv.Wall)})
	b.ReportMetric(ratio, "per-order-ratio")
}

// ordersImport imports n orders: of one customer when same, else of n
// customers.
func ordersImport(tb testing.TB, n int, same bool) (Run, *Workspace) {
	tb.Helper()
	dir := env.dir(tb, fmt.Sprintf("orders-%d-%v", n, same))
	csv := filepath.Join(dir, "orders.csv")
	if err := writeOrders(csv, n, same); err != nil {
		tb.Fatal(err)
	}
	ctx := context.Background()
	ws, err := NewWorkspace(ctx, env.rapport(tb), filepath.Join(dir, "rapport"), Settings{})
	if err != nil {
		tb.Fatal(err)
	}
	r, err := ws.Rapport(ctx, importNow, "import", csv)
	if err != nil || r.ExitCode != 0 {
		tb.Fatalf("rapport import of %d orders: exit %d, %v\n%s", n, r.ExitCode, err, r.Stderr)
	}
	tb.Logf("import of %d orders (same customer: %v): %s (CPU %s)", n, same, Seconds(r.Wall), Seconds(r.CPU))
	return r, ws
}

// writeOrders writes n orders, one a day back from Today, with distinct
// invoices.
func writeOrders(path string, n int, same bool) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "Email,Order Date,Invoice")
	for i := range n {
		email := "long@example.com"
		if !same {
			email = fmt.Sprintf("c%d@example.com", i)
		}
		fmt.Fprintf(w, "%s,%s,INV-%d\n", email, Today.AddDate(0, 0, -i%3000).Format(time.DateOnly), i)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
