package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// secretUse says how much a section needs one of its secrets.
type secretUse int

const (
	secretUnused   secretUse = iota // section switched off: check the keys, read nothing
	secretOptional                  // read it if given
	secretRequired                  // report it when missing
)

// need is secretRequired for a section in use, else secretUnused.
func need(inUse bool) secretUse {
	if inUse {
		return secretRequired
	}
	return secretUnused
}

var envNamePattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// secret reads the secret at key. It may be written in one of three ways,
// at most one of them:
//
//	password      = "..."              inline (least safe: the file holds it)
//	password_file = "/path/to/file"    the file's content, trailing newline removed
//	password_env  = "SMTP_PASSWORD"    an environment variable
//
// When none is written, it comes from $CREDENTIALS_DIRECTORY/<cred>, where
// systemd puts the credentials named by LoadCredential=. Files and variables
// are only read when the section is in use.
func (r *reader) secret(key, cred string, use secretUse) Secret {
	forms := []string{key, key + "_file", key + "_env"}
	var given []string
	values := map[string]string{}
	for _, k := range forms {
		if v, ok := r.rawString(k); ok {
			given = append(given, k)
			values[k] = v
		}
	}
	if len(given) > 1 {
		r.fail(given[1], "set only one of %s", quoteList(lastAll(forms), "or"))
		return ""
	}
	if use == secretUnused {
		return ""
	}
	var s string
	var ok bool
	switch {
	case len(given) == 0:
		s, ok = r.credential(key, cred)
	case given[0] == key:
		s, ok = values[key], true
	case given[0] == key+"_file":
		s, ok = r.secretFile(given[0], values[given[0]])
	default:
		s, ok = r.secretEnv(given[0], values[given[0]])
	}
	if ok && s == "" && use == secretRequired {
		r.missing(key, fmt.Sprintf("set %s_file = \"/path/to/file\" (safest), %s_env = \"VARIABLE\", or %s = \"...\"; "+
			"under systemd, LoadCredential=%s:/path/to/file also works", last(key), last(key), last(key), cred))
	}
	return Secret(s)
}

func (r *reader) secretFile(key, name string) (string, bool) {
	if name == "" {
		r.fail(key, "is empty: give the path of the file holding the secret")
		return "", false
	}
	path := r.resolve(name)
	data, err := os.ReadFile(path)
	if err != nil {
		r.fail(key, "cannot read %s: %v", path, unwrapPathError(err))
		return "", false
	}
	s := strings.TrimRight(string(data), "\r\n")
	if s == "" {
		r.fail(key, "the file %s is empty", path)
		return "", false
	}
	return s, true
}

func (r *reader) secretEnv(key, name string) (string, bool) {
	if !envNamePattern.MatchString(name) {
		r.fail(key, "%q is not an environment variable name (letters, digits and _, like \"SMTP_PASSWORD\")", name)
		return "", false
	}
	s := r.env(name)
	if s == "" {
		r.fail(key, "the environment variable %s is not set (or is empty): set it where rapport starts, "+
			"or use %s_file instead", name, strings.TrimSuffix(last(key), "_env"))
		return "", false
	}
	return s, true
}

// credential reads a systemd credential, if systemd passed any. A missing
// one is not an error here: the caller decides whether the secret is needed.
func (r *reader) credential(key, cred string) (string, bool) {
	dir := r.env("CREDENTIALS_DIRECTORY")
	if dir == "" {
		return "", true
	}
	path := filepath.Join(dir, cred)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", true
	}
	if err != nil {
		r.fail(key, "cannot read the systemd credential %s: %v", path, unwrapPathError(err))
		return "", false
	}
	return strings.TrimRight(string(data), "\r\n"), true
}

// unwrapPathError drops the path from an *fs.PathError, which the message
// already names, leaving "no such file or directory".
func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func lastAll(keys []string) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = last(k)
	}
	return out
}
