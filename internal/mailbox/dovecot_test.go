package mailbox_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"reflect"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/rapportapp/rapport/internal/mailbox"
	"github.com/rapportapp/rapport/internal/testsrv/needtool"
)

// TestPollDovecot runs the polling contract against Dovecot, an independent
// IMAP server, started unprivileged-style in a temporary directory. It is
// skipped only when Dovecot is not installed (apt-get install
// dovecot-imapd); if it is installed and does not start, the test fails.
func TestPollDovecot(t *testing.T) {
	bin := needtool.Path(t, "apt-get install dovecot-imapd", "dovecot")
	cfg := startDovecot(t, bin)
	c := dialDovecot(t, cfg)
	appendTo(t, c, testMessage(1), imap.FlagSeen)
	appendTo(t, c, testMessage(2))
	appendTo(t, c, testMessage(3), imap.FlagFlagged)
	before := flagsOf(t, c)

	cur, r := poll(t, cfg, mailbox.Cursor{})
	if want := []uint32{1, 2, 3}; !reflect.DeepEqual(r.uids, want) {
		t.Fatalf("handled %v, want %v", r.uids, want)
	}
	if after := flagsOf(t, c); !reflect.DeepEqual(after, before) {
		t.Errorf("flags changed by polling:\nbefore %v\nafter  %v", before, after)
	}
	if again, r := poll(t, cfg, cur); len(r.uids) != 0 || again != cur {
		t.Errorf("second poll handled %v, cursor %v", r.uids, again)
	}

	// Dovecot answers "UID 4:*" with UID 3 once UID 4 is gone.
	expungeUID(t, c, appendTo(t, c, testMessage(4)))
	if again, r := poll(t, cfg, cur); len(r.uids) != 0 || again != cur {
		t.Errorf("poll after expunge handled %v, cursor %v", r.uids, again)
	}

	uid := appendTo(t, c, testMessage(5))
	if _, r := poll(t, cfg, cur); !reflect.DeepEqual(r.uids, []uint32{uid}) {
		t.Errorf("handled %v, want [%d]", r.uids, uid)
	}

	wrong := cfg
	wrong.Password = "nope"
	if _, err := mailbox.Poll(context.Background(), wrong, cur, (&recorder{}).handle, (&recorder{}).save); !errors.Is(err, mailbox.ErrLogin) {
		t.Errorf("wrong password: %v", err)
	}
}

// startDovecot runs Dovecot in the foreground on a free loopback port,
// with a configuration of its own in a temporary directory.
func startDovecot(t *testing.T, bin string) mailbox.Config {
	t.Helper()
	dir := t.TempDir()
	port := freePort(t)
	conf := writeDovecotConfig(t, dir, port)

	var logs bytes.Buffer
	cmd := exec.Command(bin, "-F", "-c", conf)
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("start dovecot: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		<-exited
	})
	waitListening(t, port, exited, func() string {
		log, _ := os.ReadFile(filepath.Join(dir, "dovecot.log"))
		return logs.String() + string(log)
	})
	return mailbox.Config{Host: "127.0.0.1", Port: port, TLS: "none", Username: testUser, Password: testPassword, Timeout: 10 * time.Second}
}

// writeDovecotConfig writes the configuration, the password file and the
// mail directory into dir. As root, Dovecot's processes run as the packaged
// dovecot/dovenull users; otherwise as the current user.
func writeDovecotConfig(t *testing.T, dir string, port int) string {
	t.Helper()
	// Dovecot's unprivileged processes must reach the mail directory.
	for _, d := range []string{filepath.Dir(dir), dir} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	mailUser, loginUser, internalUser := dovecotUsers(t)
	mailDir := filepath.Join(dir, "mail")
	if err := os.Mkdir(mailDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		if err := os.Chown(mailDir, atoi(t, mailUser.Uid), atoi(t, mailUser.Gid)); err != nil {
			t.Fatal(err)
		}
	}
	users := filepath.Join(dir, "users")
	if err := os.WriteFile(users, []byte(testUser+":{PLAIN}"+testPassword+"::::::\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(dir, "dovecot.conf")
	text := fmt.Sprintf(dovecotConf, dir, mailDir, internalUser, internalUser, loginUser, users, mailUser.Uid, mailUser.Gid, dir, port)
	if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return conf
}

const dovecotConf = `
base_dir = %[1]s/run
state_dir = %[1]s/state
log_path = %[1]s/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mailbox_idle_check_interval = 1 secs
mail_location = maildir:%[2]s/%%u
first_valid_uid = 0
default_internal_user = %[3]s
default_internal_group = %[4]s
default_login_user = %[5]s
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%%u %[6]s
}
userdb {
  driver = static
  args = uid=%[7]s gid=%[8]s home=%[9]s/home/%%u
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = %[10]d
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
`

// dovecotUsers picks who Dovecot's processes run as: Dovecot refuses to
// run its login process as root.
func dovecotUsers(t *testing.T) (mail *user.User, login, internal string) {
	t.Helper()
	if os.Geteuid() != 0 {
		me, err := user.Current()
		if err != nil {
			t.Fatal(err)
		}
		return me, me.Username, me.Username
	}
	mail, err := user.Lookup("dovecot")
	if err != nil {
		t.Fatalf("dovecot is installed but its user is missing: %v", err)
	}
	return mail, "dovenull", "dovecot"
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// waitListening polls until Dovecot accepts connections, it exits, or ten
// seconds pass.
func waitListening(t *testing.T, port int, exited <-chan error, logs func() string) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		if c, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port))); err == nil {
			c.Close()
			return
		}
		select {
		case err := <-exited:
			t.Fatalf("dovecot exited (%v):\n%s", err, logs())
		case <-deadline:
			t.Fatalf("dovecot did not listen within 10s:\n%s", logs())
		case <-tick.C:
		}
	}
}

func dialDovecot(t *testing.T, cfg mailbox.Config) *imapclient.Client {
	t.Helper()
	c, err := imapclient.DialInsecure(net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port)), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Login(cfg.Username, cfg.Password).Wait(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	return c
}

func appendTo(t *testing.T, c *imapclient.Client, raw string, flags ...imap.Flag) uint32 {
	t.Helper()
	cmd := c.Append("INBOX", int64(len(raw)), &imap.AppendOptions{Flags: flags})
	if _, err := cmd.Write([]byte(raw)); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := cmd.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Noop().Wait(); err != nil { // take in the new EXISTS
		t.Fatal(err)
	}
	return uint32(data.UID)
}

func flagsOf(t *testing.T, c *imapclient.Client) map[uint32][]imap.Flag {
	t.Helper()
	msgs, err := c.Fetch(imap.SeqSet{imap.SeqRange{Start: 1, Stop: 0}}, &imap.FetchOptions{UID: true, Flags: true}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	out := map[uint32][]imap.Flag{}
	for _, m := range msgs {
		out[uint32(m.UID)] = sortedFlags(m.Flags)
	}
	return out
}

func expungeUID(t *testing.T, c *imapclient.Client, uid uint32) {
	t.Helper()
	set := imap.UIDSetNum(imap.UID(uid))
	store := &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}
	if err := c.Store(set, store, nil).Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Expunge().Close(); err != nil {
		t.Fatal(err)
	}
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
