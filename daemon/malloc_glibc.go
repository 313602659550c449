//go:build linux && cgo

package main

/*
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

// SQLite allocates its page caches with malloc from whichever thread runs
// a query, and glibc gives a thread its own arena at its first malloc or
// free, up to eight per core: memory freed in one arena cannot serve
// another, so a busy dashboard left a dozen half-empty arenas and the
// daemon over its memory target. Two arenas still let two queries
// allocate at once on a two-core machine. This runs when the program is
// loaded: each thread the Go runtime starts takes an arena at once, so
// by main() the limit would come too late. MALLOC_ARENA_MAX, when set,
// has the last word.
__attribute__((constructor)) static void rapportLimitArenas(void) {
#if defined(__GLIBC__) && defined(M_ARENA_MAX)
	const char *set = getenv("MALLOC_ARENA_MAX");
	if (set == NULL || *set == '\0') {
		mallopt(M_ARENA_MAX, 2);
	}
#endif
}

// rapportArenas counts malloc's arenas (-1: unknown).
static int rapportArenas(void) {
#if defined(__GLIBC__)
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (f == NULL) {
		return -1;
	}
	malloc_info(0, f);
	fclose(f);
	int n = 0;
	for (char *p = buf; (p = strstr(p, "<heap nr=")) != NULL; p++) {
		n++;
	}
	free(buf);
	return n;
#else
	return -1;
#endif
}
*/
import "C"

// mallocArenas is how many arenas glibc's malloc keeps, or -1 where it
// cannot tell (the limit is set as the program loads, above).
func mallocArenas() int { return int(C.rapportArenas()) }
