package main

import (
	"strings"
	"testing"
)

// Attachments outside templates/ (the config holds the Twilio token) are
// refused by check, and send-test attaches nothing from there.
func TestAttachmentsStayInTheTemplatesFolder(t *testing.T) {
	w := newWorkspace(t)
	w.replace(t, "templates/policy-sheet.email.md", `# attach = ["shipping-and-returns.pdf"]`,
		`attach = ["../config.toml", "/etc/passwd"]`)
	_, errOut, code := w.run(t, "check")
	for _, want := range []string{
		`policy-sheet.email.md:11:1: attachment "../config.toml" is outside the templates folder`,
		`policy-sheet.email.md:11:1: attachment "/etc/passwd" is outside the templates folder`,
	} {
		if code != exitInvalid || !strings.Contains(errOut, want) {
			t.Errorf("check: exit %d, stderr:\n%s\nwant exit 2 and %q", code, errOut, want)
		}
	}
	if _, _, code := w.run(t, "send-test", "post-order/policy-sheet"); code != exitInvalid {
		t.Errorf("send-test with attachments outside templates/: exit %d, want 2", code)
	}
	if n := len(w.emails(t)); n != 0 {
		t.Errorf("%d emails went out, want none", n)
	}
}
