// Package needtool finds a program a test drives (a browser, an IMAP
// server, systemd-analyze). Where it is missing the test is skipped with a
// line that names the program and how to install it, so a developer sees
// what went untested; under CI=1 it fails instead, because CI installs
// every one of them and a skip there would hide a broken setup.
package needtool

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// sbin are where Debian puts daemons such as dovecot; a user's PATH often
// leaves them out.
var sbin = []string{"/usr/sbin", "/sbin", "/usr/local/sbin"}

// Path returns the first of names found on PATH (or in an sbin folder).
// When none is there it skips tb with "NAME not found: INSTALL", install
// being the command that provides it ("apt-get install chromium"), or
// under CI fails tb with that line.
func Path(tb testing.TB, install string, names ...string) string {
	tb.Helper()
	p, err := lookup(install, names)
	if err == nil {
		return p
	}
	if os.Getenv("CI") != "" {
		tb.Fatalf("%v (CI must have it)", err)
	} else {
		tb.Skip(err.Error())
	}
	return ""
}

func lookup(install string, names []string) (string, error) {
	for _, name := range names {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
		for _, dir := range sbin {
			p := filepath.Join(dir, name)
			if info, err := os.Stat(p); err == nil && info.Mode().IsRegular() && info.Mode()&0o111 != 0 {
				return p, nil
			}
		}
	}
	also := ""
	if len(names) > 1 {
		also = " (nor " + strings.Join(names[1:], ", ") + ")"
	}
	return "", fmt.Errorf("%s not found%s: %s", names[0], also, install)
}
