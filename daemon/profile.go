package main

import (
	"fmt"
	"io"
	"os"
	"runtime/pprof"
)

// The environment variables naming files to write profiles of the whole
// command to (a developer's tool, see docs/development.md; not a
// rep-facing flag): CPU time, and every allocation made.
const (
	profileEnv    = "RAPPORT_CPUPROFILE"
	memProfileEnv = "RAPPORT_MEMPROFILE"
)

// withProfiles runs f, profiling its CPU time into the file at cpu and its
// allocations into the file at mem, each when set. A profile that cannot be
// started or written is reported on w but never changes the command's own
// exit code: the command's work is done.
func withProfiles(cpu, mem string, w io.Writer, f func() int) int {
	code := withCPUProfile(cpu, w, f)
	if mem != "" {
		if err := writeProfile("allocs", mem); err != nil {
			fmt.Fprintf(w, "rapport: %s: %v\n", memProfileEnv, err)
		}
	}
	return code
}

// withCPUProfile runs f, profiling it into the file at path when path is
// set.
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

// writeProfile writes the runtime's profile called name to path.
func writeProfile(name, path string) error {
	file, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.Lookup(name).WriteTo(file, 0); err != nil {
		file.Close()
		return err
	}
	return file.Close()
}
