// Package mailpit starts a real Mailpit (github.com/axllent/mailpit, pinned
// as a tool in go.mod) on free 127.0.0.1 ports for a test, and reads what
// it received through its HTTP API.
//
// The binary comes from `go tool -n mailpit`, which builds it into Go's
// build cache the first time (about a minute) and prints its path; the
// cache makes later runs and parallel test packages cheap and safe. Set
// RAPPORT_MAILPIT to a mailpit binary to skip the go tool step.
package mailpit

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
	"sync"
	"testing"
	"time"

	"github.com/rapportapp/rapport/internal/testsrv/syncbuf"
)

// Timeouts for setting Mailpit up. Building it is slow only the first time.
const (
	buildTimeout = 5 * time.Minute
	readyTimeout = 30 * time.Second
	pollInterval = 20 * time.Millisecond
	startTries   = 3 // a free port can be taken between probing and binding
)

// binary locates (and if need be builds) mailpit once per test process.
// It is package state on purpose: every test in the process shares the
// same immutable answer.
var binary = sync.OnceValues(locate)

// Server is a running Mailpit.
type Server struct {
	SMTPHost string // 127.0.0.1
	SMTPPort int
	APIURL   string // http://127.0.0.1:PORT, no trailing slash

	http *http.Client
}

// Start runs Mailpit until the test ends. It fails the test (never skips)
// when Mailpit cannot be built or started.
func Start(tb testing.TB) *Server {
	tb.Helper()
	s, stop, err := Launch(tb.TempDir())
	if err != nil {
		tb.Fatalf("mailpit: %v", err)
	}
	tb.Cleanup(stop)
	return s
}

// Launch runs Mailpit with its database in dir until stop is called, for
// programs such as the crash harness; tests use Start. A free port can be
// taken between probing and binding, so it tries a few times.
func Launch(dir string) (s *Server, stop func(), err error) {
	bin, err := binary()
	if err != nil {
		return nil, nil, err
	}
	var errs []error
	for range startTries {
		s, stop, err := start(bin, dir)
		if err == nil {
			return s, stop, nil
		}
		errs = append(errs, err)
	}
	return nil, nil, errors.Join(errs...)
}

func locate() (string, error) {
	if p := os.Getenv("RAPPORT_MAILPIT"); p != "" {
		return p, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
	defer cancel()
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "go", "tool", "-n", "mailpit")
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go tool -n mailpit: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	path := strings.TrimSpace(string(out))
	if _, err := os.Stat(path); err != nil {
		return "", fmt.Errorf("go tool -n mailpit printed %q: %w", path, err)
	}
	return path, nil
}

// start launches one Mailpit and waits until both its HTTP API and its
// SMTP port answer.
func start(bin, dir string) (*Server, func(), error) {
	ports, err := freePorts(2)
	if err != nil {
		return nil, nil, err
	}
	s := &Server{
		SMTPHost: "127.0.0.1",
		SMTPPort: ports[0],
		APIURL:   "http://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(ports[1])),
		http:     &http.Client{Timeout: 10 * time.Second},
	}
	var output syncbuf.Buffer
	cmd := exec.Command(bin, s.args(dir, ports[1])...)
	cmd.Stdout, cmd.Stderr = &output, &output
	if err := cmd.Start(); err != nil {
		return nil, nil, fmt.Errorf("run %s: %w", bin, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stop := func() {
		_ = cmd.Process.Kill()
		<-exited
	}
	if err := s.waitReady(exited); err != nil {
		stop()
		return nil, nil, fmt.Errorf("%w\nmailpit output:\n%s", err, output.String())
	}
	return s, stop, nil
}

func (s *Server) args(dir string, httpPort int) []string {
	return []string{
		"--smtp", net.JoinHostPort(s.SMTPHost, strconv.Itoa(s.SMTPPort)),
		"--listen", net.JoinHostPort("127.0.0.1", strconv.Itoa(httpPort)),
		"--database", filepath.Join(dir, "mailpit.db"),
		"--smtp-auth-accept-any", "--smtp-auth-allow-insecure",
		"--smtp-disable-rdns", // no DNS lookups: tests stay on loopback
		"--disable-version-check",
		"--enable-chaos",
		"--max", "0", // keep every message, not the last 500
		"--quiet",
	}
}

func (s *Server) waitReady(exited <-chan error) error {
	deadline := time.Now().Add(readyTimeout)
	for {
		select {
		case err := <-exited:
			return fmt.Errorf("mailpit exited before it was ready: %v", err)
		default:
		}
		if s.ready() {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("mailpit not ready after %s", readyTimeout)
		}
		time.Sleep(pollInterval)
	}
}

func (s *Server) ready() bool {
	resp, err := s.http.Get(s.APIURL + "/readyz")
	if err != nil {
		return false
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return false
	}
	c, err := net.DialTimeout("tcp", net.JoinHostPort(s.SMTPHost, strconv.Itoa(s.SMTPPort)), time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// freePorts asks the kernel for n unused loopback ports. They are free
// when returned, not reserved: Start retries if Mailpit loses the race.
func freePorts(n int) ([]int, error) {
	var ports []int
	var errs []error
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			errs = append(errs, err)
			continue
		}
		defer l.Close()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("find free ports: %w", err)
	}
	return ports, nil
}
