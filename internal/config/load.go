package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/rapportapp/rapport/internal/tomlerr"
)

// Find returns the config file to use: explicit (the -c flag) when given,
// else ./config.toml, else /etc/rapport/config.toml. Its error lists where
// it looked.
func Find(explicit string) (string, error) {
	return find(explicit, []string{"config.toml", "/etc/rapport/config.toml"})
}

func find(explicit string, candidates []string) (string, error) {
	if explicit != "" {
		if _, err := os.Stat(explicit); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return "", fmt.Errorf("config file %s does not exist: check the -c path, or create one with `rapport init`", explicit)
			}
			return "", fmt.Errorf("config file: %w", err)
		}
		return explicit, nil
	}
	for _, c := range candidates {
		if _, err := os.Stat(c); err == nil {
			return c, nil
		}
	}
	return "", fmt.Errorf("no config file: looked for %s; create one with `rapport init` or pass -c PATH",
		strings.Join(candidates, " and "))
}

// Parse checks the TOML text data, read from path, and returns the config.
// Relative paths, *_file secrets included, are resolved against path's
// folder; env looks up environment variables (nil: none are set). Every
// problem found is returned, as *Error values joined with errors.Join.
func Parse(path string, data []byte, env func(string) string) (*Config, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	if env == nil {
		env = func(string) string { return "" }
	}
	var tree map[string]any
	if _, err := toml.Decode(string(data), &tree); err != nil {
		return nil, syntaxError(path, data, err)
	}
	r := newReader(path, filepath.Dir(abs), data, tree, env)
	c := Default(r.dir)
	c.Path = abs
	r.readAll(c)
	if err := joinErrors(r.errs); err != nil {
		return nil, err
	}
	c.sending = r.checkSending(c)
	return c, nil
}

// syntaxError turns the TOML parser's error into an *Error at its position.
func syntaxError(path string, src []byte, err error) error {
	var pe toml.ParseError
	if !errors.As(err, &pe) {
		return &Error{Path: path, Msg: "not valid TOML: " + err.Error()}
	}
	line, col := pe.Position.Line, pe.Position.Col
	// Some errors (a key defined twice) come with a column past the end of
	// the line; the start of the line is more use to the reader.
	if lines := bytes.Split(src, []byte("\n")); line >= 1 && line <= len(lines) && col > len(lines[line-1])+1 {
		col = skipSpace(lines[line-1], 0) + 1
	}
	return &Error{Path: path, Line: line, Col: col, Msg: "not valid TOML: " + tomlerr.Message(pe)}
}
