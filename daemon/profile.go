package main

import (
	"fmt"
	"io"
	"os"
	"runtime/pprof"
)

// profileEnv names a file to write a CPU profile of the whole command to
// (a developer's tool, see docs/development.md; not a rep-facing flag).
const profileEnv = "RAPPORT_CPUPROFILE"

// withCPUProfile runs f, profiling it into the file at path when path is
// set. A profile that cannot be started or written is reported on w but
// never changes the command's own exit code: the command's work is done.
func withCPUProfile(path string, w io.Writer, f func() int) int {
	if path == "" {
		return f()
	}
	file, err := os.Create(path)
	if err != nil {
		fmt.Fprintf(w, "rapport: %s: %v\n", profileEnv, err)
		return f()
	}
	defer file.Close()
	if err := pprof.StartCPUProfile(file); err != nil {
		fmt.Fprintf(w, "rapport: %s: %v\n", profileEnv, err)
		return f()
	}
	code := f()
	pprof.StopCPUProfile()
	if err := file.Close(); err != nil {
		fmt.Fprintf(w, "rapport: %s: %v\n", profileEnv, err)
	}
	return code
}
