package main

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/rapportapp/rapport"

// Test helpers must stay out of the binary: a fake server linked into
// rapport brings the testing package (and its flags) with it.
func TestBinaryLinksNoTestCode(t *testing.T) {
	gotool, err := exec.LookPath("go") // go test puts its own GOROOT/bin first on PATH
	if err != nil {
		t.Fatalf("the go tool is needed to list the binary's packages: %v", err)
	}
	out, err := exec.Command(gotool, "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	deps := strings.Fields(string(out))
	if !slices.Contains(deps, module+"/internal/store") {
		t.Fatalf("go list -deps does not list internal/store; it printed:\n%s", out)
	}
	for _, p := range deps {
		if p == "testing" || p == module+"/internal/testsrv" || strings.HasPrefix(p, module+"/internal/testsrv/") {
			t.Errorf("the rapport binary links %s, a test-only package", p)
		}
	}
}
