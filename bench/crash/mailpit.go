package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// MailServer is a running Mailpit: where the daemon sends and where the
// harness reads what arrived.
type MailServer struct {
	SMTPPort int    // on 127.0.0.1
	APIURL   string // http://127.0.0.1:PORT
}

// mailpitBinary finds Mailpit the way internal/testsrv/mailpit does:
// $RAPPORT_MAILPIT, else `go tool -n mailpit` (built into the Go cache
// the first time).
func mailpitBinary(ctx context.Context) (string, error) {
	if p := os.Getenv("RAPPORT_MAILPIT"); p != "" {
		return p, nil
	}
	root, err := moduleRoot(ctx)
	if err != nil {
		return "", err
	}
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "go", "tool", "-n", "mailpit")
	cmd.Dir, cmd.Stderr = root, &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go tool -n mailpit: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(string(out)), nil
}

// startMailpit runs Mailpit with internal/testsrv/mailpit's flags on two
// free loopback ports, keeping its database in dir. A port can be taken
// between probing and binding, so it tries a few times.
func startMailpit(ctx context.Context, dir string) (*MailServer, *process, error) {
	bin, err := mailpitBinary(ctx)
	if err != nil {
		return nil, nil, err
	}
	var errs []error
	for range 3 {
		ms, p, err := tryMailpit(ctx, bin, dir)
		if err == nil {
			return ms, p, nil
		}
		errs = append(errs, err)
	}
	return nil, nil, fmt.Errorf("start mailpit: %w", errors.Join(errs...))
}

func tryMailpit(ctx context.Context, bin, dir string) (*MailServer, *process, error) {
	smtpPort, err := freePort()
	if err != nil {
		return nil, nil, err
	}
	httpPort, err := freePort()
	if err != nil {
		return nil, nil, err
	}
	ms := &MailServer{SMTPPort: smtpPort, APIURL: "http://" + loopback(httpPort)}
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, bin,
		"--smtp", loopback(smtpPort), "--listen", loopback(httpPort),
		"--database", filepath.Join(dir, "mailpit.db"),
		"--smtp-auth-accept-any", "--smtp-auth-allow-insecure", "--smtp-disable-rdns",
		"--disable-version-check", "--max", "0", "--quiet")
	cmd.Stdout, cmd.Stderr = &out, &out
	p, err := startProcess(cmd)
	if err != nil {
		return nil, nil, err
	}
	err = waitFor(ctx, 30*time.Second, 50*time.Millisecond, func() (bool, error) { return p.exited() || ms.ready(), nil })
	if err != nil || p.exited() {
		p.kill()
		return nil, nil, fmt.Errorf("mailpit not ready: %v\n%s", err, out.String())
	}
	return ms, p, nil
}

func (ms *MailServer) ready() bool {
	resp, err := http.Get(ms.APIURL + "/readyz")
	if err != nil {
		return false
	}
	resp.Body.Close()
	c, err := net.DialTimeout("tcp", loopback(ms.SMTPPort), time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return resp.StatusCode == http.StatusOK
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
