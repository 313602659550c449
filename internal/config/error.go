package config

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
)

// Error is one problem in a config file. Load and Parse return every
// problem found, joined with errors.Join; errors.As finds the first.
type Error struct {
	Path string // the file, as given to Load or Parse
	Line int    // 1-based; 0 when the problem has no single place
	Col  int    // 1-based; 0 when unknown
	Msg  string
}

// Error formats the problem as "path:line:col: message", the form editors
// and terminals turn into a link.
func (e *Error) Error() string {
	switch {
	case e.Line == 0:
		return fmt.Sprintf("%s: %s", e.Path, e.Msg)
	case e.Col == 0:
		return fmt.Sprintf("%s:%d: %s", e.Path, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.Path, e.Line, e.Col, e.Msg)
}

// joinErrors orders problems as they appear in the file, those with no
// position first (a missing section is usually the thing to fix first).
func joinErrors(errs []*Error) error {
	if len(errs) == 0 {
		return nil
	}
	slices.SortStableFunc(errs, func(a, b *Error) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Col, b.Col))
	})
	list := make([]error, len(errs))
	for i, e := range errs {
		list[i] = e
	}
	return errors.Join(list...)
}
