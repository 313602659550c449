package main

import (
	"context"
	"os"
	"testing"
)

func TestZZProfImport(t *testing.T) {
	args := []string{"-c", os.Getenv("PROF_CFG"), "--now", "2026-03-02T08:00:00-06:00", "import", os.Getenv("PROF_CSV")}
	code := run(context.Background(), args, stdio{in: os.Stdin, out: os.Stdout, err: os.Stderr}, os.Getenv)
	t.Log("exit", code)
}
