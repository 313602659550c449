package perf

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// NotifySocket stands in for systemd's notification socket: give Path to
// a child as NOTIFY_SOCKET and it tells when the child says READY=1.
type NotifySocket struct {
	Path string
	conn *net.UnixConn
}

// ListenNotify opens a unixgram socket in dir.
func ListenNotify(dir string) (*NotifySocket, error) {
	path := filepath.Join(dir, "notify.sock")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		return nil, fmt.Errorf("notify socket: %w", err)
	}
	return &NotifySocket{Path: path, conn: conn}, nil
}

// Wait returns when a datagram with the line state (such as "READY=1")
// arrives, with the time it arrived, or fails after timeout.
func (n *NotifySocket) Wait(state string, timeout time.Duration) (time.Time, error) {
	if err := n.conn.SetReadDeadline(time.Now().Add(timeout)); err != nil {
		return time.Time{}, err
	}
	buf := make([]byte, 4096)
	for {
		k, err := n.conn.Read(buf)
		at := time.Now()
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return time.Time{}, fmt.Errorf("no %s within %s", state, timeout)
		}
		if err != nil {
			return time.Time{}, fmt.Errorf("notify socket: %w", err)
		}
		for line := range strings.SplitSeq(string(buf[:k]), "\n") {
			if line == state {
				return at, nil
			}
		}
	}
}

// Close closes the socket.
func (n *NotifySocket) Close() error { return n.conn.Close() }
