package main

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/rapportapp/rapport/internal/testsrv/mailpit"
)

// MailServer is a running Mailpit: where the daemon sends and where the
// harness reads what arrived.
type MailServer struct {
	SMTPPort int    // on 127.0.0.1
	APIURL   string // http://127.0.0.1:PORT
}

// startMailpit runs Mailpit (internal/testsrv/mailpit, as the tests do)
// with its database in dir; stop ends it.
func startMailpit(dir string) (ms *MailServer, stop func(), err error) {
	s, stop, err := mailpit.Launch(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("start mailpit: %w", err)
	}
	return &MailServer{SMTPPort: s.SMTPPort, APIURL: s.APIURL}, stop, nil
}

func loopback(port int) string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(port)) }

// freePort asks the kernel for an unused loopback port. It is free when
// returned, not reserved.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// waitFor polls cond every interval until it reports done, fails, or
// limit passes.
func waitFor(ctx context.Context, limit, every time.Duration, cond func() (bool, error)) error {
	deadline := time.Now().Add(limit)
	for {
		done, err := cond()
		if done || err != nil {
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("gave up after %s", limit)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(every):
		}
	}
}
