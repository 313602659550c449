package campaign

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/rapportapp/rapport/internal/tomlerr"
)

// The keys a campaign file may use, in the order the messages list them.
var (
	campaignKeys = []string{"name", "trigger", "pause_on_reply", "step"}
	stepKeys     = []string{"id", "after", "until", "every", "at", "channel", "fallback", "template", "purpose"}
)

// rawCampaign and rawStep receive the file as written. Every value is
// decoded into any so that a wrong type becomes one problem to report
// rather than the end of decoding.
type rawCampaign struct {
	Name         any            `toml:"name"`
	Trigger      any            `toml:"trigger"`
	PauseOnReply any            `toml:"pause_on_reply"`
	Steps        toml.Primitive `toml:"step"`
}

type rawStep struct {
	ID       any `toml:"id"`
	After    any `toml:"after"`
	Until    any `toml:"until"`
	Every    any `toml:"every"`
	At       any `toml:"at"`
	Channel  any `toml:"channel"`
	Fallback any `toml:"fallback"`
	Template any `toml:"template"`
	Purpose  any `toml:"purpose"`
}

// idPattern is what campaign and step ids look like: they end up in queue
// keys, file names and URLs.
var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

// parser reads one file, collecting every problem it finds.
type parser struct {
	file     string
	src      []byte
	at       map[string]Pos // where each key is written; see locate
	labels   []string       // "step \"arrival-check\": " for each step, for messages
	problems []*problem
	warnings []string
}

// problem is one thing to fix, at a place in the file.
type problem struct {
	pos Pos
	msg string
	err error // the underlying error, if any
}

func (e *problem) Error() string { return e.pos.String() + ": " + e.msg }
func (e *problem) Unwrap() error { return e.err }

func (p *parser) addf(at Pos, format string, args ...any) {
	p.problems = append(p.problems, &problem{pos: at, msg: fmt.Sprintf(format, args...)})
}

// addErr records a problem caused by err, whose text ends the message.
func (p *parser) addErr(at Pos, prefix string, err error) {
	p.problems = append(p.problems, &problem{pos: at, msg: prefix + err.Error(), err: err})
}

// pos returns where path (as made by locate) is written, or failing that
// where the nearest enclosing table is, or the top of the file.
func (p *parser) pos(path string) Pos {
	for path != "" {
		if at, ok := p.at[path]; ok {
			return at
		}
		path = path[:max(0, strings.LastIndexAny(path, ".["))]
	}
	return Pos{File: p.file, Line: 1, Col: 1}
}

// err returns every problem in file order, or nil.
func (p *parser) err() error {
	if len(p.problems) == 0 {
		return nil
	}
	slices.SortStableFunc(p.problems, func(a, b *problem) int {
		if a.pos.Line != b.pos.Line {
			return a.pos.Line - b.pos.Line
		}
		return a.pos.Col - b.pos.Col
	})
	errs := make([]error, len(p.problems))
	for i, pr := range p.problems {
		errs[i] = pr
	}
	return errors.Join(errs...)
}

func (p *parser) parse() *Campaign {
	c := &Campaign{
		ID:           strings.TrimSuffix(filepath.Base(p.file), ".toml"),
		File:         p.file,
		PauseOnReply: true,
	}
	if !idPattern.MatchString(c.ID) {
		p.addf(Pos{File: p.file}, "the file name %q cannot name a campaign: use lowercase letters, digits and dashes, like post-order.toml", filepath.Base(p.file))
	}
	var raw rawCampaign
	md, err := toml.NewDecoder(bytes.NewReader(p.src)).Decode(&raw)
	if err != nil {
		p.syntaxError(err)
		return nil
	}
	p.at = locate(p.file, p.src)
	p.header(c, &raw)
	stepsOK := p.steps(c, &md, raw.Steps)
	p.unknownKeys(&md, stepsOK)
	c.Warnings = p.warnings
	return c
}

// syntaxError reports a file the TOML parser rejected. Its column is
// recomputed from the byte offset: toml.Position.Col is unreliable at the
// start of a line.
func (p *parser) syntaxError(err error) {
	var pe toml.ParseError
	if !errors.As(err, &pe) {
		p.addErr(Pos{File: p.file}, "cannot read the file: ", err)
		return
	}
	at := Pos{File: p.file, Line: pe.Position.Line, Col: pe.Position.Col}
	if pe.Position.Start >= 0 && pe.Position.Start <= len(p.src) {
		at = position(p.file, p.src, pe.Position.Start)
	}
	msg := "this is not valid TOML: " + tomlerr.Message(pe)
	switch {
	case strings.HasPrefix(pe.Message, "expected value but found"),
		strings.HasPrefix(pe.Message, "expected a top-level item to end with"):
		msg += ` (text goes in double quotes, like after = "5d")`
	case strings.HasSuffix(pe.Message, "has already been defined."):
		msg += " (each key may appear once per section; a new step starts with its own [[step]] line)"
	}
	p.problems = append(p.problems, &problem{pos: at, msg: msg, err: err})
}

// header reads the campaign-wide keys above the first [[step]].
func (p *parser) header(c *Campaign, raw *rawCampaign) {
	top := section{p: p}
	if name, ok := top.text(raw.Name, "name", `name = "Post-order follow-up"`, true); ok {
		c.Name = name
	}
	if trigger, ok := top.text(raw.Trigger, "trigger", `trigger = "order"`, true); ok {
		if trigger == TriggerOrder || trigger == TriggerContact {
			c.Trigger = trigger
		} else {
			p.addf(p.pos("trigger"), "trigger %q must be %q or %q%s", trigger, TriggerOrder, TriggerContact, didYouMean(trigger, []string{TriggerOrder, TriggerContact}))
		}
	}
	if raw.PauseOnReply != nil {
		if b, ok := raw.PauseOnReply.(bool); ok {
			c.PauseOnReply = b
		} else {
			p.addf(p.pos("pause_on_reply"), "pause_on_reply must be true or false, without quotes (found %s)", describe(raw.PauseOnReply))
		}
	}
}

// didYouMean returns ` (did you mean "x"?)` for a near miss, or "".
func didYouMean(got string, known []string) string {
	if s := guess(got, known); s != "" {
		return fmt.Sprintf(" (did you mean %q?)", s)
	}
	return ""
}

// describe names the TOML type of v for a rep: "a number", "text", ...
func describe(v any) string {
	switch v.(type) {
	case string:
		return "text"
	case int64, float64:
		return "a number"
	case bool:
		return "true or false"
	case []any, []map[string]any:
		return "a list"
	case map[string]any:
		return "a section"
	default:
		return "a date or time"
	}
}
