package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/rapportapp/rapport"
)

// cmdInit writes the starter set into a folder, refusing to overwrite.
func cmdInit(e *env, args []string) error {
	fs := newFlags(e, "init", "[DIR]")
	pos, err := flags(fs, args)
	if err != nil {
		return err
	}
	dir := "."
	if len(pos) > 0 {
		dir = pos[0]
	}
	if err := writeStarter(dir); err != nil {
		return err
	}
	fmt.Fprintf(e.io.out, `Wrote a starter set into %s:
  config.toml           your name, address, and how messages are sent (edit this first)
  campaigns/            when each message goes out
  templates/            what each message says
  contacts.example.csv  an example of a contacts file

Next:
  rapport -c %s check
  rapport -c %s import %s
  rapport -c %s run
`, dir, cfgIn(dir), cfgIn(dir), filepath.Join(dir, "contacts.example.csv"), cfgIn(dir))
	return nil
}

func cfgIn(dir string) string { return filepath.Join(dir, "config.toml") }

// starterFiles maps the embedded starter set to where init writes it.
func starterFiles() (map[string]string, error) {
	out := map[string]string{"config.toml.example": "config.toml", "contacts.example.csv": "contacts.example.csv"}
	err := fs.WalkDir(rapport.Starter, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if dir := filepath.Dir(p); dir != "." {
			out[p] = p
		}
		return nil
	})
	return out, err
}

// writeStarter lays the starter set out in dir. It checks every target
// first, so it either writes everything or nothing.
func writeStarter(dir string) error {
	files, err := starterFiles()
	if err != nil {
		return err
	}
	var exists []error
	for _, to := range files {
		if _, err := os.Stat(filepath.Join(dir, to)); err == nil {
			exists = append(exists, fmt.Errorf("%s already exists", filepath.Join(dir, to)))
		}
	}
	if len(exists) > 0 {
		return invalid{fmt.Errorf("rapport init refuses to overwrite your files:\n%w", errors.Join(exists...))}
	}
	for from, to := range files {
		data, err := rapport.Starter.ReadFile(from)
		if err != nil {
			return err
		}
		target := filepath.Join(dir, to)
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(target, data, 0o644); err != nil {
			return err
		}
	}
	return nil
}
