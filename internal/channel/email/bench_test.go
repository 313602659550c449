package email_test

import (
	"context"
	"testing"

	"github.com/rapportapp/rapport/internal/testsrv/mailpit"
)

// BenchmarkSMTPToMailpit measures the real path: build each message and
// send it through the SMTP sender (no rate limit) to Mailpit.
//
//	go test ./internal/channel/email -run '^$' -bench . -benchtime 500x
func BenchmarkSMTPToMailpit(b *testing.B) {
	srv := mailpit.Start(b)
	s := mailpitSMTP(b, srv, 0, 0)
	msgs := make([]int64, b.N)
	for i := range msgs {
		msgs[i] = int64(i + 1)
	}
	ctx := context.Background()
	b.ResetTimer()
	for _, id := range msgs {
		if _, err := s.Send(ctx, testMessage(b, id)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// BenchmarkPlainGoMailLoop is the baseline: go-mail alone, messages built
// beforehand, one connection, Send in a loop.
func BenchmarkPlainGoMailLoop(b *testing.B) {
	srv := mailpit.Start(b)
	msgs := buildAll(b, b.N)
	c := plainClient(b, srv.SMTPHost, srv.SMTPPort)
	b.ResetTimer()
	if err := c.DialWithContext(context.Background()); err != nil {
		b.Fatal(err)
	}
	for _, msg := range msgs {
		if err := c.Send(msg); err != nil {
			b.Fatal(err)
		}
	}
	if err := c.Close(); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}
