// Package sdnotify tells systemd how the daemon is doing, through the
// sd_notify protocol: one datagram of "KEY=value" lines sent to the socket
// named by $NOTIFY_SOCKET. Outside systemd (the variable unset) every call
// does nothing, so callers need no special case.
package sdnotify

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// Notify sends state, such as "READY=1" or "STATUS=sending", to systemd.
// It returns nil without doing anything when $NOTIFY_SOCKET is unset.
func Notify(state string) error {
	addr := os.Getenv("NOTIFY_SOCKET")
	if addr == "" {
		return nil
	}
	// Go maps a leading '@' to Linux's abstract namespace, as systemd means.
	if !strings.HasPrefix(addr, "/") && !strings.HasPrefix(addr, "@") {
		return fmt.Errorf("sd_notify: unsupported NOTIFY_SOCKET %q (want a path or @abstract name)", addr)
	}
	conn, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: addr, Net: "unixgram"})
	if err != nil {
		return fmt.Errorf("sd_notify: %w", err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte(state)); err != nil {
		return fmt.Errorf("sd_notify %q: %w", firstLine(state), err)
	}
	return nil
}

// Ready says start-up (or a reload) has finished and the service works.
func Ready() error { return Notify("READY=1") }

// Stopping says a clean shutdown has begun.
func Stopping() error { return Notify("STOPPING=1") }

// Reloading says a reload has begun; send Ready when it is done. The
// timestamp lets Type=notify-reload units (systemd 253+) match the two.
func Reloading() error {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
		return fmt.Errorf("sd_notify: read monotonic clock: %w", err)
	}
	usec := ts.Nano() / int64(time.Microsecond)
	return Notify("RELOADING=1\nMONOTONIC_USEC=" + strconv.FormatInt(usec, 10))
}

// Watchdog tells systemd the service is alive; with WatchdogSec= set, it
// must be sent more often than WatchdogInterval or systemd restarts it.
func Watchdog() error { return Notify("WATCHDOG=1") }

// WatchdogInterval returns how often systemd expects Watchdog, and false
// when no watchdog is set up for this process. Pinging at half the interval
// is the usual margin.
func WatchdogInterval() (time.Duration, bool) {
	usec, err := strconv.ParseInt(os.Getenv("WATCHDOG_USEC"), 10, 64)
	if err != nil || usec <= 0 {
		return 0, false
	}
	// WATCHDOG_PID, when set, names the process the watchdog is meant for;
	// a child that inherited the environment must not answer for it.
	if pid := os.Getenv("WATCHDOG_PID"); pid != "" && pid != strconv.Itoa(os.Getpid()) {
		return 0, false
	}
	return time.Duration(usec) * time.Microsecond, true
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// KeepStarting keeps systemd waiting for READY while start-up work of
// unknown length runs — a database upgrade, or queueing a campaign's new
// step for a million journeys — which can outlast the unit's start timeout
// on a small server: every interval it asks for three intervals more
// (EXTEND_TIMEOUT_USEC), with status as the line `systemctl status` shows.
// The returned stop ends that (calling it again does nothing); call it
// before Ready, and when start-up fails.
func KeepStarting(status string, every time.Duration) (stop func()) {
	if os.Getenv("NOTIFY_SOCKET") == "" {
		return func() {}
	}
	extend := func() {
		Notify(fmt.Sprintf("EXTEND_TIMEOUT_USEC=%d\nSTATUS=%s", (3 * every).Microseconds(), status))
	}
	extend()
	done, exited := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(exited)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				extend()
			case <-done:
				return
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() { close(done); <-exited })
	}
}
