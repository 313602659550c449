package config

import (
	"fmt"
	"slices"
	"strings"

	"github.com/rapportapp/rapport/internal/suggest"
)

// checkUnknown reports every key and section that no reader asked for, and
// every known section that was written as a plain value.
func (r *reader) checkUnknown() { r.walk("", r.tree) }

func (r *reader) walk(table string, m map[string]any) {
	for _, name := range sortedKeys(m) {
		key := join(table, name)
		v := m[name]
		switch {
		case !r.known[key]:
			r.unknown(table, name, v)
		case r.leaf[key]:
			// A value: whoever read it has checked it.
		default:
			sub, ok := v.(map[string]any)
			if !ok {
				r.fail(key, "must be a section [%s] with keys under it, not %s", key, describe(v))
				continue
			}
			r.walk(key, sub)
		}
	}
}

func (r *reader) unknown(table, name string, v any) {
	key := join(table, name)
	_, isTable := v.(map[string]any)
	var msg string
	switch {
	case isTable:
		msg = fmt.Sprintf("unknown section [%s]", key)
	case table == "":
		msg = fmt.Sprintf("unknown key %q at the top of the file (settings go under a [section])", name)
	default:
		msg = fmt.Sprintf("unknown key %q in [%s]", name, table)
	}
	r.errorAt(r.position(key), msg+"; "+r.suggest(table, name))
}

// suggest offers the likely intended key: a near miss in the same table,
// else the same name in another table, else the list of valid names.
func (r *reader) suggest(table, name string) string {
	siblings := r.children(table)
	if best := suggest.Closest(name, siblings); best != "" {
		if r.leaf[join(table, best)] {
			return fmt.Sprintf("did you mean %q?", best)
		}
		return fmt.Sprintf("did you mean [%s]?", join(table, best))
	}
	var homes []string
	for key := range r.leaf {
		if last(key) == name && parent(key) != "" {
			homes = append(homes, "["+parent(key)+"]")
		}
	}
	if len(homes) > 0 {
		slices.Sort(homes)
		return fmt.Sprintf("%s belongs under %s", name, strings.Join(homes, " or "))
	}
	if table == "" {
		return "the sections are " + bracketList(siblings)
	}
	return "the keys here are " + strings.Join(siblings, ", ")
}

// children lists the known names directly inside table, sorted.
func (r *reader) children(table string) []string {
	var names []string
	for key := range r.known {
		if parent(key) == table && key != "" {
			names = append(names, last(key))
		}
	}
	slices.Sort(names)
	return names
}

func bracketList(names []string) string {
	b := make([]string, len(names))
	for i, n := range names {
		b[i] = "[" + n + "]"
	}
	return strings.Join(b, ", ")
}
