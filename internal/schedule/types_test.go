package schedule

import (
	"testing"
)

func TestParseDelay(t *testing.T) {
	tests := []struct {
		in      string
		want    Delay
		wantErr bool
	}{
		{in: "0d", want: Delay{0, Day}},
		{in: "90m", want: Delay{90, Minute}},
		{in: "4h", want: Delay{4, Hour}},
		{in: "5d", want: Delay{5, Day}},
		{in: "3w", want: Delay{3, Week}},
		{in: "1mo", want: Delay{1, Month}},
		{in: "7bd", want: Delay{7, BusinessDay}},
		{in: " 2 bd ", want: Delay{2, BusinessDay}},
		{in: "", wantErr: true},
		{in: "d", wantErr: true},
		{in: "5", wantErr: true},
		{in: "5x", wantErr: true},
		{in: "-1d", wantErr: true},
		{in: "1.5d", wantErr: true},
		{in: "5D", wantErr: true},
		{in: "100001d", wantErr: true},
		{in: "99999999999999999999d", wantErr: true},
	}
	for _, tt := range tests {
		got, err := ParseDelay(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("ParseDelay(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if got != tt.want {
			t.Errorf("ParseDelay(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func TestParseWindow(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr bool
	}{
		{in: "08:00-20:00", want: "08:00-20:00"},
		{in: "8:00-20:00", want: "08:00-20:00"},
		{in: "20:00-08:00", wantErr: true},
		{in: "08:00-08:00", wantErr: true},
		{in: "08:00", wantErr: true},
		{in: "08:00-25:00", wantErr: true},
	}
	for _, tt := range tests {
		got, err := ParseWindow(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("ParseWindow(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if err == nil && got.String() != tt.want {
			t.Errorf("ParseWindow(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

// FuzzParseDelay checks that ParseDelay never panics and that every delay
// it accepts prints back to text that parses to the same delay.
func FuzzParseDelay(f *testing.F) {
	for _, s := range []string{"0d", "5d", "2bd", "3w", "1mo", "4h", "30m", " 7 bd", "1m0", "mo", "-1d", "100000mo"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDelay(s)
		if err != nil {
			return
		}
		if d.N < 0 {
			t.Fatalf("ParseDelay(%q) = %+v: negative", s, d)
		}
		again, err := ParseDelay(d.String())
		if err != nil || again != d {
			t.Fatalf("ParseDelay(%q) = %+v, but its text %q parses to %+v, %v", s, d, d.String(), again, err)
		}
	})
}
