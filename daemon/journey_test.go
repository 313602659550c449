package main

import "testing"

func TestSmokeHelpers(t *testing.T) {
	w := newWorkspace(t)
	w.mustRun(t, "check")
	w.setKey(t, "sending", "max_texts_per_day", "2")
	w.mustRun(t, "check")
	t.Log(w.outboxFiles(t))
}
