package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"time"
)

// process is a child the harness started and may kill.
type process struct {
	cmd  *exec.Cmd
	done chan struct{} // closed once the process has exited and been reaped
	err  error         // cmd.Wait's answer, valid after done
}

func startProcess(cmd *exec.Cmd) (*process, error) {
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", cmd.Path, err)
	}
	p := &process{cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// kill sends SIGKILL (kill -9) and waits until the process is gone, so
// its lock and ports are free before the next start.
func (p *process) kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// exited reports whether the process has ended on its own.
func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// terminate sends SIGTERM and waits up to limit for a clean exit, killing
// the process if it takes longer. It returns the exit code and how long
// the process took.
func (p *process) terminate(limit time.Duration) (code int, took time.Duration, err error) {
	start := time.Now()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil && !p.exited() {
		return -1, 0, fmt.Errorf("send SIGTERM: %w", err)
	}
	select {
	case <-p.done:
	case <-time.After(limit):
		p.kill()
		return -1, time.Since(start), fmt.Errorf("still running %s after SIGTERM; killed it", limit)
	}
	return p.cmd.ProcessState.ExitCode(), time.Since(start), nil
}

// moduleRoot finds the Rapport module's folder with `go env GOMOD`.
func moduleRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", errors.New("not inside the rapport module: run from the repository")
	}
	return filepath.Dir(mod), nil
}

// BuildRapport builds the daemon from the module containing the working
// directory into dst.
func BuildRapport(ctx context.Context, dst string) error {
	root, err := moduleRoot(ctx)
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, "go", "build", "-o", dst, "./daemon")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build ./daemon: %w\n%s", err, out)
	}
	return nil
}

// rapportCmd runs one CLI command to completion and returns its stdout.
func rapportCmd(ctx context.Context, bin string, args ...string) ([]byte, error) {
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return out, fmt.Errorf("rapport %s: %w\n%s%s", strings.Join(args, " "), err, out, stderr.Bytes())
	}
	return out, nil
}

// sandbox is a running `rapport dev twilio-sandbox`.
type sandbox struct {
	*process
	URL, SID, Token string
}

var sandboxURL = regexp.MustCompile(`listening on (http://\S+)`)

// startSandbox runs the Twilio sandbox as its own process, so it keeps
// its record of every text while the daemon is killed and restarted. It
// listens on a port the kernel picks and reports it on its first line.
func startSandbox(ctx context.Context, bin, sid, token string) (*sandbox, error) {
	cmd := exec.CommandContext(ctx, bin, "dev", "twilio-sandbox", "--listen", "127.0.0.1:0", "--sid", sid, "--token", token)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	p, err := startProcess(cmd)
	if err != nil {
		return nil, err
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	m := sandboxURL.FindStringSubmatch(line)
	if m == nil {
		p.kill()
		return nil, fmt.Errorf("twilio sandbox did not start: %q %v\n%s", line, err, stderr.Bytes())
	}
	go io.Copy(io.Discard, out) // keep the pipe drained
	return &sandbox{process: p, URL: m[1], SID: sid, Token: token}, nil
}

// startDaemon starts `rapport run`, appending its output to log.
func startDaemon(bin, config string, log io.Writer) (*process, error) {
	cmd := exec.Command(bin, "-c", config, "run")
	cmd.Stdout, cmd.Stderr = log, log
	return startProcess(cmd)
}
