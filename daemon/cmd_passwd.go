package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/rapportapp/rapport/internal/dashboard"
	"github.com/rapportapp/rapport/internal/store"
	"golang.org/x/term"
)

// cmdPasswd sets the dashboard password. It never takes the password as an
// argument (it would sit in the shell history and in `ps`): it prompts on a
// terminal and reads one line from stdin otherwise, for scripts.
func cmdPasswd(e *env, args []string) error {
	pos, err := flags(newFlags(e, "passwd", ""), args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return invalidf("usage: rapport passwd (it asks for the password; or pipe it in on one line)")
	}
	// Only the config: a broken campaign must not lock the rep out.
	cfg, err := e.loadConfig()
	if err != nil {
		return err
	}
	pw, err := readNewPassword(e)
	if err != nil {
		return err
	}
	hash, err := dashboard.HashPassword(pw)
	if err != nil {
		return invalid{err}
	}
	st, err := e.open(cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	// A new hash also ends every session signed with the old one.
	err = st.Tx(e.ctx, func(tx *store.Tx) error {
		return tx.SetSetting(e.ctx, dashboard.PasswordSetting, hash)
	})
	if err != nil {
		return fmt.Errorf("save dashboard password: %w", err)
	}
	fmt.Fprintf(e.io.out, "dashboard password set; sign in at %s/dashboard/\n", strings.TrimRight(cfg.HTTP.PublicURL, "/"))
	return nil
}

// readNewPassword prompts twice without echo on a terminal, else reads
// one line from stdin.
func readNewPassword(e *env) (string, error) {
	if in, ok := e.io.in.(*os.File); ok && term.IsTerminal(int(in.Fd())) {
		return promptPassword(e, int(in.Fd()))
	}
	line, err := bufio.NewReader(io.LimitReader(e.io.in, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password from stdin: %w", err)
	}
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		return "", invalidf("no password on stdin: run `rapport passwd` in a terminal, or pipe the password in on one line")
	}
	return pw, nil
}

func promptPassword(e *env, fd int) (string, error) {
	read := func(prompt string) (string, error) {
		fmt.Fprint(e.io.err, prompt)
		b, err := term.ReadPassword(fd)
		fmt.Fprintln(e.io.err)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		return string(b), nil
	}
	fmt.Fprintf(e.io.err, "Choose a dashboard password: at least %d characters (a few unrelated words make a good one).\n", dashboard.MinPasswordLen)
	pw, err := read("New password: ")
	if err != nil {
		return "", err
	}
	// Say what is wrong before asking again, not after.
	if err := dashboard.CheckPassword(pw); err != nil {
		return "", invalid{err}
	}
	again, err := read("Same password again: ")
	if err != nil {
		return "", err
	}
	if pw != again {
		return "", invalidf("the two passwords differ; nothing changed")
	}
	return pw, nil
}
