// Package campaign reads the rep's campaign files (campaigns/*.toml): which
// messages and tasks follow an order or a new contact, after how long, on
// which channel, with which template. Reading is strict: every typo, wrong
// type or impossible value is reported at once, at its file:line:col, in
// words a rep can act on.
package campaign

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/rapportapp/rapport/internal/schedule"
)

// Triggers: what starts a journey through a campaign.
const (
	TriggerOrder   = "order"   // one journey per order, from the order's date
	TriggerContact = "contact" // one journey per contact, from when it was added
)

// Campaign is one campaigns/*.toml file.
type Campaign struct {
	ID           string // file name without .toml: "post-order"; the queue keys on it
	Name         string
	Trigger      string // TriggerOrder or TriggerContact
	PauseOnReply bool
	Steps        []Step
	File         string // path it was read from
	// Warnings are things worth a look that do not stop the file loading
	// ("file:line:col: message"), such as a step without a purpose.
	Warnings []string
}

// Step is one [[step]] of a campaign.
type Step struct {
	ID       string
	After    schedule.Delay
	Until    *schedule.Delay     // nil: never stale
	Every    *schedule.Delay     // nil: once
	At       *schedule.TimeOfDay // nil: use [sending] at
	Channel  string              // channel.Email, channel.SMS or channel.Task
	Fallback string              // "" or the other of email and sms
	Template string
	Purpose  string // PurposeService or PurposeMarketing
	Pos      Pos    // where the [[step]] line is, for messages
}

// Purposes: what a step is for, which decides what consent it needs.
const (
	// PurposeService is part of the order the customer placed (how it
	// ships, did it arrive): it goes to anyone who has not stopped all
	// messages, and is never pushed behind a marketing message.
	PurposeService = "service"
	// PurposeMarketing (the default) is news and tips: email stops when the
	// customer declines marketing, texts need consent recorded in writing.
	PurposeMarketing = "marketing"
)

// Service reports whether the step is part of serving an order.
func (s *Step) Service() bool { return s.Purpose == PurposeService }

// Pos is a place in a campaign file. Col counts characters from 1.
type Pos struct {
	File      string
	Line, Col int
}

// String returns "file:line:col", or just the file when the line is unknown.
func (p Pos) String() string {
	if p.Line == 0 {
		return p.File
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

// Step returns the step with the given id.
func (c *Campaign) Step(id string) (*Step, bool) {
	for i := range c.Steps {
		if c.Steps[i].ID == id {
			return &c.Steps[i], true
		}
	}
	return nil, false
}

// Parse reads one campaign file. path names it in messages and gives the
// campaign its ID. Every problem found is returned, joined with
// errors.Join, each as "path:line:col: message".
func Parse(path string, data []byte) (*Campaign, error) {
	p := &parser{file: path, src: data}
	c := p.parse()
	if err := p.err(); err != nil {
		return nil, err
	}
	return c, nil
}

// LoadDir reads every *.toml file in dir, sorted by file name. Hidden files
// (editor backups such as .#post-order.toml) are left alone. If any file has
// a problem, LoadDir returns no campaigns and every problem of every file.
func LoadDir(dir string) ([]*Campaign, error) {
	campaigns, errs := Inspect(dir)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return campaigns, nil
}

// Inspect reads dir like LoadDir but keeps what it could read: the
// campaigns that are valid, and the problems of the others. `rapport
// check` uses it to check the valid ones further and report everything in
// one run.
func Inspect(dir string) ([]*Campaign, []error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, []error{fmt.Errorf("read campaigns: %w", err)}
	}
	var (
		campaigns []*Campaign
		errs      []error
	)
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || strings.HasPrefix(name, ".") || filepath.Ext(name) != ".toml" {
			continue
		}
		path := filepath.Join(dir, name)
		data, err := os.ReadFile(path)
		if err != nil {
			errs = append(errs, fmt.Errorf("read campaign: %w", err))
			continue
		}
		c, err := Parse(path, data)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		campaigns = append(campaigns, c)
	}
	return campaigns, errs
}
