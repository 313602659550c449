//go:build !linux || !cgo

package main

// mallocArenas is -1: malloc is not glibc's here (see malloc_glibc.go).
func mallocArenas() int { return -1 }
