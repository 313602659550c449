// Package tmpl loads, checks and renders the rep's message templates: the
// files in templates/ that say what each email, text and task says.
//
// A template is NAME.email.md (TOML front matter between +++ lines, then
// Markdown), NAME.sms.txt or NAME.task.txt; a folder NAME/ of such files is
// a series, used in file-name order. Placeholders are Go text/template
// over Data. Every problem a rep can make is reported as
// "path:line:col: what to fix", all at once, when the folder is loaded.
package tmpl

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/template"

	"github.com/rapportapp/rapport/internal/channel"
)

// suffixes maps a file-name ending to its channel.
var suffixes = []struct{ suffix, channel string }{
	{".email.md", channel.Email},
	{".sms.txt", channel.SMS},
	{".task.txt", channel.Task},
}

// Set is every template in one folder, parsed and checked. It is
// read-only once loaded and safe for concurrent use.
type Set struct {
	dir     string // absolute; attachments are relative to it
	groups  map[key]*group
	entries []*entry     // every template, in file order, for Check
	broken  map[key]bool // templates that did not parse (Inspect only)
	ignored []string     // files that look like templates but are not used
	r       *renderer
}

type key struct{ name, channel string }

// group is what a campaign step's template name refers to on one channel:
// a single file, or the entries of a series in file-name order.
type group struct {
	series  bool
	entries []*entry
}

// entry is one parsed template file.
type entry struct {
	path    string // as shown to the rep
	channel string
	subject *template.Template // email only
	body    *template.Template
	subjO   origin
	bodyO   origin
	subjC   clones // subject's and body's copies for rendering (execute)
	bodyC   clones
	dir     string   // the templates folder, which attachments must stay inside
	attach  []string // as written: relative to dir
	attachL int      // file line of the attach setting
}

// LoadDir parses every template in dir and its series folders. The error,
// if any, joins every problem found, each a *Error with its position.
func LoadDir(dir string) (*Set, error) {
	s, problems := Inspect(dir)
	if len(problems) > 0 {
		return nil, errors.Join(problems...)
	}
	return s, nil
}

// Inspect reads dir like LoadDir but keeps going: the set holds the
// templates that parsed, and the problems say what is wrong with the
// others. A template that did not parse still counts for Has, so a step
// using it is not also reported as having no template. It is for `rapport
// check`, which reports every problem in one run; the set is nil only when
// the folder cannot be read at all.
func Inspect(dir string) (*Set, []error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, []error{fmt.Errorf("templates folder %s: %w", dir, err)}
	}
	items, err := os.ReadDir(dir)
	if err != nil {
		return nil, []error{fmt.Errorf("templates folder: %w", err)}
	}
	r, err := newRenderer()
	if err != nil {
		return nil, []error{err}
	}
	s := &Set{dir: abs, groups: map[key]*group{}, broken: map[key]bool{}, r: r}
	var problems []error
	for _, it := range items {
		problems = append(problems, s.loadItem(dir, it)...)
	}
	return s, problems
}

func (s *Set) loadItem(dir string, it fs.DirEntry) []error {
	name, path := it.Name(), filepath.Join(dir, it.Name())
	if strings.HasPrefix(name, ".") {
		return nil
	}
	info, err := os.Stat(path) // follows symlinks
	if err != nil {
		return []error{fmt.Errorf("%s: %w", path, err)}
	}
	if !info.IsDir() {
		return s.loadFile(path, name, "")
	}
	return s.loadSeries(path, name)
}

// loadSeries loads the files of the series folder dir, named series.
func (s *Set) loadSeries(dir, series string) []error {
	items, err := os.ReadDir(dir)
	if err != nil {
		return []error{fmt.Errorf("series folder: %w", err)}
	}
	var problems []error
	for _, it := range items {
		name, path := it.Name(), filepath.Join(dir, it.Name())
		switch {
		case strings.HasPrefix(name, "."):
		case it.IsDir():
			s.ignored = append(s.ignored, path+": folders inside a series are not used")
		default:
			problems = append(problems, s.loadFile(path, name, series)...)
		}
	}
	return problems
}

// loadFile parses one file and adds it to its group. Files that are not
// templates (PDFs to attach, notes) are left alone.
func (s *Set) loadFile(path, file, series string) []error {
	name, channel, ok := splitName(file)
	if !ok {
		if ext := filepath.Ext(file); ext == ".md" || ext == ".txt" {
			s.ignored = append(s.ignored, path+": not used — template names end in .email.md, .sms.txt or .task.txt")
		}
		return nil
	}
	src, err := os.ReadFile(path)
	if err != nil {
		return []error{fmt.Errorf("read template: %w", err)}
	}
	if series != "" {
		name = series
	}
	e, problems := parseEntry(path, channel, normalize(string(src)), s.dir)
	if len(problems) > 0 {
		s.broken[key{name, channel}] = true
		return problems
	}
	return s.add(key{name, channel}, series != "", e)
}

// add files e under k, refusing a single template and a series of the
// same name: a campaign step could not say which it means.
func (s *Set) add(k key, series bool, e *entry) []error {
	g := s.groups[k]
	if g == nil {
		g = &group{series: series}
		s.groups[k] = g
	}
	if g.series != series {
		return []error{&Error{Path: e.path, Line: 1, Col: 1, Msg: fmt.Sprintf(
			"there is both a %s template and a series folder named %q — rename or remove one", k.channel, k.name)}}
	}
	g.entries = append(g.entries, e)
	s.entries = append(s.entries, e)
	return nil
}

// splitName returns the template name and channel a file name stands for.
func splitName(file string) (name, channel string, ok bool) {
	for _, s := range suffixes {
		if n, found := strings.CutSuffix(file, s.suffix); found && n != "" {
			return n, s.channel, true
		}
	}
	return "", "", false
}

// normalize drops a byte-order mark and Windows line endings, which
// editors on a rep's laptop may add.
func normalize(src string) string {
	src = strings.TrimPrefix(src, "\uFEFF")
	return strings.ReplaceAll(src, "\r\n", "\n")
}

// Has reports whether there is a template (or series) name on channel.
func (s *Set) Has(name, channel string) bool {
	g := s.groups[key{name, channel}]
	return g != nil && len(g.entries) > 0 || s.broken[key{name, channel}]
}

// SeriesLen returns how many entries the series name has on channel, or 0
// when name is not a series.
func (s *Set) SeriesLen(name, channel string) int {
	g := s.groups[key{name, channel}]
	if g == nil || !g.series {
		return 0
	}
	return len(g.entries)
}

// Names lists the template and series names available on channel, sorted.
func (s *Set) Names(channel string) []string {
	var names []string
	for k := range s.groups {
		if k.channel == channel {
			names = append(names, k.name)
		}
	}
	slices.Sort(names)
	return names
}
