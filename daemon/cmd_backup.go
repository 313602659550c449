package main

import (
	"fmt"
	"os"
)

func cmdBackup(e *env, args []string) error {
	pos, err := flags(newFlags(e, "backup", "FILE"), args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return invalidf("usage: rapport backup FILE")
	}
	if _, err := os.Stat(pos[0]); err == nil {
		return invalidf("%s already exists: choose a new file name", pos[0])
	}
	cfg, st, err := e.openDB()
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Backup(e.ctx, pos[0]); err != nil {
		return err
	}
	fmt.Fprintf(e.io.out, "backed up %s to %s\n", cfg.Database.Path, pos[0])
	return nil
}
