package campaign

import (
	"testing"
)

func TestLocate(t *testing.T) {
	src := "" +
		"name = \"\"\"\n" + // 1
		"[[step]]\n" + // 2: inside a string
		"x = 1\"\"\"\n" + // 3
		"list = [\n" + // 4
		"  \"]\", # ] in a comment\n" + // 5
		"  'y = 2',\n" + // 6
		"]\n" + // 7
		"a.\"b c\".d = 1\n" + // 8
		"[[step]]\n" + // 9
		"  id = \"é\" # ok\n" + // 10
		"[ step.sub ]\n" + // 11
		"z = 3\n" + // 12
		"[[step]]\n" + // 13
		"\t\"été\" = '''it's'''\n" + // 14
		"[other]\n" + // 15
		"k = \"\\\"\" \n" // 16
	want := map[string]Pos{
		"name":          {"f", 1, 1},
		"list":          {"f", 4, 1},
		"a":             {"f", 8, 1},
		"a.b c":         {"f", 8, 1},
		"a.b c.d":       {"f", 8, 1},
		"step[0]":       {"f", 9, 1},
		"step[0].id":    {"f", 10, 3},
		"step[0].sub":   {"f", 11, 1},
		"step[0].sub.z": {"f", 12, 1},
		"step[1]":       {"f", 13, 1},
		"step[1].été":   {"f", 14, 2},
		"other":         {"f", 15, 1},
		"other.k":       {"f", 16, 1},
	}
	got := locate("f", []byte(src))
	for path, pos := range want {
		if got[path] != pos {
			t.Errorf("%s at %v, want %v", path, got[path], pos)
		}
	}
	for path := range got {
		if _, ok := want[path]; !ok {
			t.Errorf("unexpected key %q at %v", path, got[path])
		}
	}
}

// TestLocateUnfinished makes sure broken input ends the scan quietly.
func TestLocateUnfinished(t *testing.T) {
	for _, src := range []string{"", "[", "[[", "a = \"", "a = '''", "a = [", "\"", "a.", "= 1", "[[a]]\nb = {", "a = \"\\"} {
		locate("f", []byte(src))
	}
}

func TestPositionCountsCharacters(t *testing.T) {
	src := []byte("a = 1\nb = \"é\" x\n")
	tests := []struct {
		offset int
		want   Pos
	}{
		{0, Pos{"f", 1, 1}},
		{5, Pos{"f", 1, 6}},  // the newline
		{6, Pos{"f", 2, 1}},  // b
		{15, Pos{"f", 2, 9}}, // x, after a two-byte é
		{99, Pos{"f", 3, 1}}, // clamped to the end
		{-1, Pos{"f", 1, 1}},
	}
	for _, tt := range tests {
		if got := position("f", src, tt.offset); got != tt.want {
			t.Errorf("position(%d) = %v, want %v", tt.offset, got, tt.want)
		}
	}
}
