package tmpl_test

import (
	"testing"

	"github.com/rapportapp/rapport/internal/channel"
	"github.com/rapportapp/rapport/internal/tmpl"
)

// BenchmarkRenderEmail renders the starter policy sheet, the email the
// send benchmark (bench/perf) sends: subject, text part and HTML part.
func BenchmarkRenderEmail(b *testing.B) {
	s, err := tmpl.LoadDir(starterDir)
	if err != nil {
		b.Fatal(err)
	}
	d := tmpl.SampleData()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Render("policy-sheet", channel.Email, 0, d); err != nil {
			b.Fatal(err)
		}
	}
}
