package perf

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// importNow is when the benchmarks import: the morning of Today, before
// the day's sends at 10:00.
var importNow = At(0, "08:00")

// maxImportRSS is the target for an import's peak memory.
const maxImportRSS = 60e6

// imported is a workspace that imported a generated file of n contacts.
type imported struct {
	n   int
	csv string
	ws  *Workspace
	run Run // the `rapport import`, timed
}

// imported returns the workspace that imported n generated contacts,
// generating and importing them the first time.
func (s *shared) imported(tb testing.TB, n int) *imported {
	tb.Helper()
	s.mu.Lock()
	im := s.imports[n]
	s.mu.Unlock()
	if im != nil {
		return im
	}
	dir := s.dir(tb, fmt.Sprintf("import-%d", n))
	im = &imported{n: n, csv: filepath.Join(dir, "contacts.csv")}
	if err := Generate(im.csv, n); err != nil {
		tb.Fatal(err)
	}
	ctx := context.Background()
	var err error
	if im.ws, err = NewWorkspace(ctx, s.rapport(tb), filepath.Join(dir, "rapport"), Settings{}); err != nil {
		tb.Fatal(err)
	}
	if im.run, err = im.ws.Rapport(ctx, importNow, "import", im.csv); err != nil {
		tb.Fatal(err)
	}
	checkImport(tb, im.run, n)
	s.mu.Lock()
	s.imports[n] = im
	s.mu.Unlock()
	return im
}

// checkImport fails unless the import took every row but the planted bad
// ones, and reported those (exit 2: rows were skipped).
func checkImport(tb testing.TB, r Run, n int) {
	tb.Helper()
	var ins, upd, same, skip, orders, journeys int
	line, _, _ := strings.Cut(r.Stdout, "\n")
	_, counts, _ := strings.Cut(line, "imported: ")
	_, err := fmt.Sscanf(counts, "%d inserted, %d updated, %d unchanged, %d skipped, %d orders, %d journeys started",
		&ins, &upd, &same, &skip, &orders, &journeys)
	bad := n / badEvery
	if err != nil || r.ExitCode != 2 || skip != bad || ins+upd+same+skip != n {
		tb.Fatalf("rapport import of %d rows: exit %d, %q (want %d skipped); stderr:\n%s", n, r.ExitCode, line, bad, r.Stderr)
	}
	tb.Logf("import of %d rows: %s in %s (CPU %s, peak RSS %s)", n, counts, Seconds(r.Wall), Seconds(r.CPU), MB(r.MaxRSS))
}

// sqliteImport times the sqlite3 shell's .import of the file into a new,
// bare table (no index, no checks).
func sqliteImport(tb testing.TB, csv string) time.Duration {
	tb.Helper()
	db := filepath.Join(env.dir(tb, "sqlite3"), "bare.db")
	return sqlite3(tb, db, ".mode csv\n.import "+csv+" contacts\n")
}

// phoneFloor times the phone checks alone on every core.
func phoneFloor(tb testing.TB, csv string) time.Duration {
	tb.Helper()
	phones, err := Column(csv, "Mobile Phone")
	if err != nil {
		tb.Fatal(err)
	}
	took, valid := ValidatePhones(phones, "US", runtime.NumCPU())
	if want := len(phones) - len(phones)/badEvery; valid != want {
		tb.Fatalf("%d of %d phone numbers valid, want %d", valid, len(phones), want)
	}
	return took
}

// storedTables are the tables an import fills, in an order their foreign
// keys accept.
var storedTables = []string{"contacts", "orders", "journeys", "messages"}

// A floorDB is how the database the write floor loads is set up.
type floorDB struct {
	name    string
	pragmas string
	oneTx   bool // all tables in one transaction, as the import writes them
}

var (
	// rapportDB is set up as Rapport sets up its own: write-ahead log (the
	// daemon reads while an import writes), synchronous=FULL (a commit is
	// on disk when it returns), foreign keys checked, and the whole load
	// in one transaction, as the import's "all or nothing". This floor is
	// the import's target.
	rapportDB = floorDB{
		name:    "as Rapport's: WAL, synchronous=FULL, foreign keys, one transaction",
		pragmas: "PRAGMA journal_mode=WAL;\nPRAGMA synchronous=FULL;\nPRAGMA foreign_keys=ON;\n",
		oneTx:   true,
	}
	// shellDB is the shell's defaults: a rollback journal, which a new
	// file's pages need not go through, no foreign-key checks, and a
	// transaction per table. Shown for reference: Rapport cannot load this
	// way while its daemon runs.
	shellDB = floorDB{name: "the shell's defaults: rollback journal, no foreign-key checks, a transaction per table"}
)

// floorRounds is how many times each write floor loads n rows: the
// benchmark shows the median. A million rows take a minute a load, and
// vary less.
func floorRounds(n int) int {
	if n > procsRows {
		return 1
	}
	return 3
}

// writeFloor times the sqlite3 shell loading the rows an import stored,
// exported as CSV, into an empty database with Rapport's schema set up as
// db says: what SQLite alone needs to store them with their indexes, with
// nothing read, checked or planned. It shows what limits the import. The
// figure is the median of floorRounds loads.
func writeFloor(tb testing.TB, im *imported, db floorDB) time.Duration {
	tb.Helper()
	dir := exportStored(tb, im)
	var load strings.Builder
	load.WriteString(db.pragmas + ".read " + filepath.Join(dir, "schema.sql") + "\n.mode csv\n")
	if db.oneTx {
		load.WriteString("BEGIN;\n")
	}
	for _, t := range storedTables {
		csv := filepath.Join(dir, t+".csv")
		if t == "messages" {
			// A queued row's message_id is NULL until it is claimed, and
			// CSV has no NULL: the rows go through a staging table.
			fmt.Fprintf(&load, "CREATE TEMP TABLE staged AS SELECT * FROM messages WHERE 0;\n.import %s staged\n"+
				"UPDATE staged SET message_id = NULL WHERE message_id = '';\nINSERT INTO messages SELECT * FROM staged;\n", csv)
			continue
		}
		fmt.Fprintf(&load, ".import %s %s\n", csv, t)
	}
	if db.oneTx {
		load.WriteString("COMMIT;\n")
	}
	var runs []Run
	for range floorRounds(im.n) {
		floor := filepath.Join(dir, "floor.db")
		for _, f := range []string{floor, floor + "-wal", floor + "-shm", floor + "-journal"} {
			if err := os.Remove(f); err != nil && !os.IsNotExist(err) {
				tb.Fatal(err)
			}
		}
		runs = append(runs, Run{Wall: sqlite3(tb, floor, load.String())})
	}
	return medianOf(runs, func(r Run) time.Duration { return r.Wall })
}

// exportStored writes the rows im's import stored as CSV files, one per
// table, and Rapport's schema, once; it returns their folder.
func exportStored(tb testing.TB, im *imported) string {
	tb.Helper()
	dir := env.dir(tb, "write-floor")
	if _, err := os.Stat(filepath.Join(dir, "schema.sql")); err == nil {
		return dir
	}
	var export strings.Builder
	export.WriteString(".headers off\n.mode csv\n")
	for _, t := range storedTables {
		fmt.Fprintf(&export, ".once %s\nSELECT * FROM %s;\n", filepath.Join(dir, t+".csv"), t)
	}
	fmt.Fprintf(&export, ".once %s\n.schema --nosys\n", filepath.Join(dir, "schema.sql"))
	sqlite3(tb, im.ws.DB(), export.String())
	return dir
}

// sqlite3 runs the sqlite3 shell on db with script as its input and
// returns how long it took.
func sqlite3(tb testing.TB, db, script string) time.Duration {
	tb.Helper()
	bin, err := exec.LookPath("sqlite3")
	if err != nil {
		tb.Fatal("the sqlite3 shell is needed for the baselines: apt-get install -y sqlite3 (bench/run installs it)")
	}
	r, err := Command(context.Background(), strings.NewReader(script), nil, bin, db)
	if err != nil || r.ExitCode != 0 || r.Stderr != "" {
		tb.Fatalf("sqlite3 %s: %v %s", db, err, r.Stderr)
	}
	return r.Wall
}

// procsRows is the most rows the GOMAXPROCS table imports: it imports the
// file once per setting, and the CPU per row is what it shows.
const procsRows = 100_000

// procsRounds is how many times each GOMAXPROCS setting imports, in turns
// with the others: the table shows medians (the machine may be shared).
const procsRounds = 3

// importByProcs imports n generated contacts with GOMAXPROCS set to 1, 2,
// 4, 8 and the machine's cores, in turns, and adds a row per setting: the
// median wall time and CPU (user + system), and the CPU against the CPU
// at 2. More cores must not make the import slower, nor cost more CPU per
// row (target: CPU at the most cores ≤ 1.3× the CPU at 2).
func importByProcs(tb testing.TB, n int) {
	tb.Helper()
	dir := env.dir(tb, "procs")
	csv := filepath.Join(dir, "contacts.csv")
	if err := Generate(csv, n); err != nil {
		tb.Fatal(err)
	}
	procs := slices.Compact(slices.Sorted(slices.Values([]int{1, 2, 4, 8, runtime.NumCPU()})))
	wall, cpu := map[int][]time.Duration{}, map[int][]time.Duration{}
	for round := range procsRounds {
		for _, p := range procs {
			r := importWith(tb, filepath.Join(dir, fmt.Sprintf("p%d-%d", p, round)), csv, n, p)
			wall[p], cpu[p] = append(wall[p], r.Wall), append(cpu[p], r.CPU)
		}
	}
	at2 := middle(cpu[2])
	for _, p := range procs {
		c := middle(cpu[p])
		row := Row{Name: fmt.Sprintf("  import %d contacts at GOMAXPROCS=%d: wall %s (median of %d)", n, p, Seconds(middle(wall[p])), procsRounds),
			Figure: Seconds(c) + " CPU", Baseline: Seconds(at2) + " CPU at 2", Ratio: c.Seconds() / at2.Seconds()}
		if p == procs[len(procs)-1] && p > 2 {
			row.Target, row.Met = "CPU ≤ 1.3× at 2", row.Ratio <= 1.3
		}
		results.Add(row)
	}
}

// importWith imports csv (n rows) into a new workspace in dir with
// GOMAXPROCS=procs.
func importWith(tb testing.TB, dir, csv string, n, procs int) Run {
	tb.Helper()
	ctx := context.Background()
	ws, err := NewWorkspace(ctx, env.rapport(tb), dir, Settings{})
	if err != nil {
		tb.Fatal(err)
	}
	r, err := ws.RapportEnv(ctx, []string{fmt.Sprintf("GOMAXPROCS=%d", procs)}, importNow, "import", csv)
	if err != nil {
		tb.Fatal(err)
	}
	checkImport(tb, r, n)
	if err := os.RemoveAll(dir); err != nil { // a 100k database is about 80 MB
		tb.Fatal(err)
	}
	return r
}
