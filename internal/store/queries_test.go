package store

import (
	"context"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// nameTakers are the store's functions that take a query name; a string
// literal passed to one of them is a name.
var nameTakers = map[string]bool{
	"text": true, "textIn": true, "exec": true, "execf": true, "get": true, "sel": true,
	"rows": true, "named": true, "insertRows": true, "multiInsert": true, "queryError": true,
	"valueOf": true, "one": true, "all": true, "allIn": true, "contactRows": true,
}

// queryNamesInGo returns every query name the store's Go code passes to
// a function that takes one, with where it is.
func queryNamesInGo(t *testing.T) map[string]string {
	t.Helper()
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || !nameTakers[funcName(call.Fun)] {
				return true
			}
			for _, a := range call.Args {
				if lit, ok := a.(*ast.BasicLit); ok && lit.Kind == token.STRING {
					name, err := strconv.Unquote(lit.Value)
					if err != nil {
						t.Fatal(err)
					}
					out[name] = fset.Position(lit.Pos()).String()
				}
			}
			return true
		})
	}
	return out
}

// funcName is the name of the function a call calls: s.exec, valueOf[int].
func funcName(e ast.Expr) string {
	switch f := e.(type) {
	case *ast.Ident:
		return f.Name
	case *ast.SelectorExpr:
		return f.Sel.Name
	case *ast.IndexExpr:
		return funcName(f.X)
	case *ast.IndexListExpr:
		return funcName(f.X)
	}
	return ""
}

// Every name the Go code asks for is in queries.sql, and every text of
// queries.sql is asked for by the Go code or included in another text: a
// typo fails here, not at the first run of a rarely used statement.
func TestQueryNamesMatchQueriesSQL(t *testing.T) {
	q, err := parseQueries(queriesSQL)
	if err != nil {
		t.Fatal(err)
	}
	used := queryNamesInGo(t)
	if len(used) < 60 {
		t.Fatalf("found only %d query names in the Go code: is nameTakers up to date?", len(used))
	}
	for name, at := range used {
		if _, ok := q[name]; !ok {
			t.Errorf("%s: no query %q in queries.sql", at, name)
		}
	}
	raw, err := splitQueries(queriesSQL)
	if err != nil {
		t.Fatal(err)
	}
	for name := range raw {
		included := false
		for _, text := range raw {
			included = included || strings.Contains(text, "{{"+name+"}}")
		}
		if _, ok := used[name]; !ok && !included {
			t.Errorf("queries.sql: nothing uses %s", name)
		}
	}
}

// statementStart tells a statement from a fragment (a column list, a
// join, a condition) that only other texts include.
var statementStart = regexp.MustCompile(`^(SELECT|INSERT|UPDATE|DELETE|PRAGMA|VACUUM|SAVEPOINT|ROLLBACK|RELEASE|DROP|CREATE|WITH)\b`)

// Every statement of queries.sql compiles against the migrated schema, so
// a wrong column or table fails here rather than in the daemon.
func TestEveryStatementCompiles(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	raw, err := splitQueries(queriesSQL)
	if err != nil {
		t.Fatal(err)
	}
	for name, text := range s.q {
		if !statementStart.MatchString(text) {
			included := false
			for _, r := range raw {
				included = included || strings.Contains(r, "{{"+name+"}}")
			}
			if !included {
				t.Errorf("%s is neither a statement nor included anywhere:\n%s", name, text)
			}
			continue
		}
		switch {
		case strings.Contains(text, "%d"):
			text = fmt.Sprintf(text, 1)
		case strings.Contains(text, "%s"):
			text = fmt.Sprintf(text, "messages_pending")
		}
		stmt, err := s.w.PrepareContext(ctx, text)
		if err != nil {
			t.Errorf("%s does not compile: %v\n%s", name, err, text)
			continue
		}
		stmt.Close()
	}
}

func TestParseQueriesRefusesBrokenFiles(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"named twice", "-- name: a\nSELECT 1;\n-- name: a\nSELECT 2;\n", "a is named twice"},
		{"empty", "-- name: a\n-- only a comment\n-- name: b\nSELECT 1;\n", "a is empty"},
		{"missing include", "-- name: a\nSELECT {{cols}} FROM t;\n", "a includes cols, which is not there"},
		{"includes itself", "-- name: a\nSELECT {{b}};\n-- name: b\nx, {{a}}\n", "includes itself"},
		{"unclosed include", "-- name: a\nSELECT {{b FROM t;\n-- name: b\nx\n", "{{ without }}"},
		{"text before a name", "SELECT 1;\n-- name: a\nSELECT 2;\n", "text before the first name"},
		{"two statements", "-- name: a\nSELECT 1;\n\nSELECT 2;\n", "a holds more than one statement"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := parseQueries(tt.src)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("parseQueries = %v, %v; want an error with %q", q, err, tt.want)
			}
		})
	}
}

// Includes are expanded, and comments dropped: a comment at the end of an
// included text would otherwise hide the rest of the line it lands on.
func TestParseQueriesExpandsIncludes(t *testing.T) {
	src := "-- About the file.\n\n-- name: cols\n-- Why these columns.\na, b\n-- a comment after the text\n\n" +
		"-- name: ok\n-- Doc.\n(x = 1)\n\n-- name: q\nSELECT {{cols}} FROM t WHERE {{ok}} AND y = ?;\n"
	q, err := parseQueries(src)
	if err != nil {
		t.Fatal(err)
	}
	if want := "SELECT a, b FROM t WHERE (x = 1) AND y = ?;"; q["q"] != want {
		t.Errorf("q = %q, want %q", q["q"], want)
	}
}

// sqlKeyword finds SQL in a Go string: a statement's first words, in
// capitals as queries.sql writes them.
var sqlKeyword = regexp.MustCompile(`\b(SELECT |INSERT INTO|UPDATE \w+ SET|DELETE FROM|CREATE (UNIQUE )?(TABLE|INDEX)|DROP (TABLE|INDEX)|ALTER TABLE|PRAGMA|VACUUM|SAVEPOINT|ROLLBACK TO|RELEASE \w+$)`)

// No Go code outside the store's query files holds SQL: every statement
// lives in queries.sql (or a migration), where it can be read, checked
// and found. The programs under bench/ are left out on purpose: they
// check the database from outside the store (a crash harness that read it
// through the store could not catch the store's own mistakes).
func TestNoSQLInGoCode(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root not at %s: %v", root, err)
	}
	checked := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			if rel == "bench" || rel == "shared" || d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".") && rel != "." {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		checked++
		for _, hit := range sqlInFile(t, path) {
			t.Errorf("%s: SQL in Go code (put it in internal/store/queries.sql): %s", rel+hit.pos, hit.text)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 50 {
		t.Fatalf("checked only %d Go files under %s", checked, root)
	}
}

type sqlHit struct{ pos, text string }

// sqlInFile lists the string literals of a Go file that hold SQL.
func sqlInFile(t *testing.T, path string) []sqlHit {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var hits []sqlHit
	ast.Inspect(f, func(n ast.Node) bool {
		lit, ok := n.(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return true
		}
		s, err := strconv.Unquote(lit.Value)
		if err != nil {
			return true
		}
		if sqlKeyword.MatchString(s) {
			p := fset.Position(lit.Pos())
			hits = append(hits, sqlHit{fmt.Sprintf(":%d", p.Line), fmt.Sprintf("%.60q", s)})
		}
		return true
	})
	return hits
}

// The SQL finder finds SQL, and passes over prose.
func TestSQLKeywordFinder(t *testing.T) {
	for _, s := range []string{"SELECT 1", "INSERT INTO t VALUES (1)", "UPDATE contacts SET x = 1",
		"DELETE FROM t", "CREATE INDEX i ON t(x)", "PRAGMA user_version", "VACUUM INTO ?", "SAVEPOINT one",
		"ROLLBACK TO one", "RELEASE one", "DROP INDEX x"} {
		if !sqlKeyword.MatchString(s) {
			t.Errorf("not taken for SQL: %q", s)
		}
	}
	for _, s := range []string{"select a campaign", "UPDATE your config", "Please RELEASE the lock now.", "create a file"} {
		if sqlKeyword.MatchString(s) {
			t.Errorf("taken for SQL: %q", s)
		}
	}
}
