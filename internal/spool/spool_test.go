package spool

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestEntriesComeBackInOrderAcrossReopen(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "rapport.db.spool")
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, body := range []string{"one", "two", "three"} {
		if err := s.Write(s.Reserve(), Entry{Kind: "sms", At: 7, Fields: map[string]string{"Body": body}}); err != nil {
			t.Fatal(err)
		}
	}
	// A write a crash cut short leaves a temporary file: not an entry.
	if err := os.WriteFile(filepath.Join(dir, ".tmp-1-x.json"), []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := s.Done(1); err != nil {
		t.Fatal(err)
	}
	// After a restart: the rest, in order, and new ones after them.
	s, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Write(s.Reserve(), Entry{Kind: "status", Fields: map[string]string{"Body": "four"}}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Pending()
	if err != nil {
		t.Fatal(err)
	}
	var bodies []string
	for _, e := range got {
		bodies = append(bodies, e.Fields["Body"])
	}
	if want := []string{"two", "three", "four"}; !reflect.DeepEqual(bodies, want) {
		t.Fatalf("pending %v, want %v", bodies, want)
	}
	if got[0].Seq != 2 || got[0].Kind != "sms" || got[0].At != 7 || got[2].Seq != 4 {
		t.Errorf("entries %+v", got)
	}
	st, err := os.Stat(dir)
	if err != nil || st.Mode().Perm() != 0o700 {
		t.Errorf("spool folder: %v, %v, want mode 0700", st.Mode(), err)
	}
}
