package tmpl

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/rapportapp/rapport/internal/channel"
)

// maxSegments is the longest text that passes check without a warning.
const maxSegments = 2

// Check renders every template, and every entry of every series, against
// sample. Problems are what would stop a message going out (a template
// that fails to render, a missing attachment); warnings are what a rep
// should look at (a text that costs more than two segments, a file that
// looks like a template but is not used).
func (s *Set) Check(sample Data) (problems []error, warnings []string) {
	for _, e := range s.entries {
		r, err := e.render(s.r, sample)
		if err != nil {
			problems = append(problems, err)
			continue
		}
		problems = append(problems, e.checkAttachments()...)
		if e.channel == channel.SMS {
			if w := smsWarning(e.path, r.Text); w != "" {
				warnings = append(warnings, w)
			}
		}
	}
	return problems, append(warnings, s.ignored...)
}

// checkAttachments reports attachments that are missing, not files, or
// reached through a link out of the templates folder.
func (e *entry) checkAttachments() []error {
	if len(e.attach) == 0 {
		return nil
	}
	// os.Root refuses any path, symlinks included, that leaves the folder.
	root, err := os.OpenRoot(e.dir)
	if err != nil {
		return []error{fmt.Errorf("%s: attachments: %w", e.path, err)}
	}
	defer root.Close()
	var problems []error
	for _, a := range e.attach {
		if msg := attachmentProblem(root, a, filepath.Join(e.dir, a)); msg != "" {
			problems = append(problems, &Error{Path: e.path, Line: e.attachL, Col: 1, Msg: msg})
		}
	}
	return problems
}

// attachmentProblem says what is wrong with attachment name (shown as
// full) inside root, or "".
func attachmentProblem(root *os.Root, name, full string) string {
	info, err := root.Stat(name)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Sprintf("attachment %s not found — put the file in the templates folder or fix the name", full)
	case err != nil:
		return fmt.Sprintf("attachment %s cannot be used (%v) — attach only files inside the templates folder, not links out of it", full, err)
	case !info.Mode().IsRegular():
		return fmt.Sprintf("attachment %s is not a file", full)
	}
	return ""
}

// attachments returns e's attachments as absolute paths, checked again
// now (a file may have been replaced by a link since the folder loaded).
func (e *entry) attachments() ([]string, error) {
	if len(e.attach) == 0 {
		return nil, nil
	}
	if problems := e.checkAttachments(); len(problems) > 0 {
		return nil, errors.Join(problems...)
	}
	out := make([]string, 0, len(e.attach))
	for _, a := range e.attach {
		out = append(out, filepath.Join(e.dir, a))
	}
	return out, nil
}

// smsWarning describes a text that is sent as more than maxSegments
// segments with the sample data (counting the opt-out notice a first text
// carries), and what makes it so.
func smsWarning(path, body string) string {
	n, enc := Segments(WithStopNotice(body))
	if n <= maxSegments {
		return ""
	}
	msg := fmt.Sprintf("%s: this text is %d segments in %s with the sample contact (with %q on a first text); "+
		"phones show one message but each segment is billed — aim for 160 plain characters", path, n, enc, StopNotice)
	if enc == EncodingUCS2 {
		msg += fmt.Sprintf("; it is %s because of %s — straight quotes and no emoji keep 160 characters a segment",
			enc, strings.Join(quoteAll(nonGSM(body)), " "))
	}
	return msg
}

func quoteAll(items []string) []string {
	out := make([]string, len(items))
	for i, s := range items {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}
