package tmpl

import (
	"errors"
	"fmt"
	"strings"

	"github.com/rapportapp/rapport/internal/channel"
)

// Rendered is one message, ready for the engine.
type Rendered struct {
	Subject     string   // email subject; for a task, its first line (the title)
	Text        string   // email plain text with footer / SMS body / task text
	HTML        string   // email only
	Attachments []string // absolute paths (email)
	Source      string   // the template file rendered
}

// Render renders template name on channel for d. For a series, index
// (0-based) picks the entry and ErrSeriesEnded says there are no more;
// for a single template index is ignored. Errors from the template itself
// are *Error values with the file position.
func (s *Set) Render(name, channel string, index int, d Data) (*Rendered, error) {
	g := s.groups[key{name, channel}]
	if g == nil || len(g.entries) == 0 {
		return nil, fmt.Errorf("no %s template named %q in %s", channel, name, s.dir)
	}
	e := g.entries[0]
	if g.series {
		if index < 0 || index >= len(g.entries) {
			return nil, fmt.Errorf("%s series %q, entry %d of %d: %w", channel, name, index+1, len(g.entries), ErrSeriesEnded)
		}
		e = g.entries[index]
	}
	out, err := e.render(s.r, d)
	if err != nil {
		return nil, err
	}
	if out.Attachments, err = e.attachments(); err != nil {
		return nil, err
	}
	return out, nil
}

// render renders e for d within the limits of one rendering (limits.go).
func (e *entry) render(r *renderer, d Data) (*Rendered, error) {
	run, cancel := newRun(r.timeout)
	defer cancel()
	if e.channel == channel.Email {
		return e.renderEmail(r, run, d)
	}
	text, err := execute(&e.bodyC, e.body, e.bodyO, d, run, outputLimit(e.channel))
	if err != nil {
		return nil, err
	}
	out := &Rendered{Text: strings.TrimSpace(text), Source: e.path}
	if e.channel == channel.SMS {
		if err := checkSegments(e.bodyO, e.body, out.Text); err != nil {
			return nil, err
		}
	}
	if e.channel == channel.Task {
		// The first line is the task's title in the rep's digest.
		title, _, _ := strings.Cut(out.Text, "\n")
		out.Subject = strings.TrimSpace(title)
	}
	return out, nil
}

// renderEmail renders the subject and the plain-text part from d as is,
// and the HTML part from d with the customer's values escaped for
// Markdown, so whatever a customer typed shows literally in both.
func (e *entry) renderEmail(r *renderer, run *run, d Data) (*Rendered, error) {
	if d.UnsubscribeURL == "" {
		return nil, errors.New("render email: no unsubscribe link for this contact; every email must carry one")
	}
	subject, err := execute(&e.subjC, e.subject, e.subjO, d, run, maxEmailBytes)
	if err != nil {
		return nil, err
	}
	text, err := execute(&e.bodyC, e.body, e.bodyO, d, run, maxEmailBytes)
	if err != nil {
		return nil, err
	}
	// Escaping adds a backslash before punctuation in the customer's values.
	markdown, err := execute(&e.bodyC, e.body, e.bodyO, escapeCustomerData(d), run, 2*maxEmailBytes)
	if err != nil {
		return nil, err
	}
	subject = channel.HeaderText(subject)
	html, err := r.html(markdown, subject, d)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", e.path, err)
	}
	return &Rendered{
		Subject: subject,
		Text:    tidyText(text) + "\n\n" + textFooter(d),
		HTML:    html,
		Source:  e.path,
	}, nil
}

// tidyText drops the blank lines a template leaves at its start and the
// spaces at the end of every line.
func tidyText(s string) string {
	lines := strings.Split(strings.Trim(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	return strings.TrimRight(strings.Join(lines, "\n"), "\n")
}

// textFooter is the plain-text footer every email carries: who it is
// from, the postal address the law asks for, and how to stop.
func textFooter(d Data) string {
	var b strings.Builder
	b.WriteString("-- \n") // the standard signature separator; mail clients fold what follows
	for _, line := range []string{d.Rep.Name, d.Rep.PostalAddress, joinNonEmpty(" · ", d.Rep.Phone, d.Rep.Email)} {
		if line != "" {
			b.WriteString(line + "\n")
		}
	}
	b.WriteString("\nYou're getting this email because you're one of my customers.\n")
	b.WriteString("Unsubscribe: " + d.UnsubscribeURL + "\n")
	return b.String()
}

func joinNonEmpty(sep string, parts ...string) string {
	var kept []string
	for _, p := range parts {
		if p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, sep)
}

// Letter is the plain text of an email the rep wrote herself (an answer to
// a customer): her words as typed, then the footer every email carries,
// with the postal address and the unsubscribe link.
func Letter(text string, d Data) (string, error) {
	if d.UnsubscribeURL == "" {
		return "", errors.New("no unsubscribe link for this contact; every email must carry one")
	}
	return tidyText(text) + "\n\n" + textFooter(d), nil
}
