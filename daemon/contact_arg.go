package main

import (
	"errors"
	"fmt"

	"github.com/rapportapp/rapport/internal/engine"
	"github.com/rapportapp/rapport/internal/enroll"
	"github.com/rapportapp/rapport/internal/store"
)

// openContact is how a command about one contact starts: it loads the
// rep's files, opens the database and finds the contact named on the
// command line (see findContact). The caller closes the store.
func (e *env) openContact(key string) (*files, *store.Store, *store.Contact, error) {
	f, st, err := e.loadAndOpen()
	if err != nil {
		return nil, nil, nil, err
	}
	ct, err := e.findContact(f, st, key)
	if err != nil {
		st.Close()
		return nil, nil, nil, err
	}
	return f, st, ct, nil
}

// contactEngine opens the workspace at the customer the rep named, with
// an engine that logs nothing (the commands that use it print what it
// did). The caller closes the store.
func (e *env) contactEngine(key string) (*engine.Engine, *store.Store, *store.Contact, error) {
	f, st, ct, err := e.openContact(key)
	if err != nil {
		return nil, nil, nil, err
	}
	eng, err := e.engineFor(f, st, discardLogger())
	if err != nil {
		st.Close()
		return nil, nil, nil, err
	}
	return eng, st, ct, nil
}

// findContact finds the contact the rep named by email, phone (as she
// writes it) or id, the same way in every command (enroll.FindContact), or
// says how to find them.
func (e *env) findContact(f *files, st *store.Store, key string) (*store.Contact, error) {
	ct, err := enroll.FindContact(e.ctx, st, f.cfg.Rep.Country, key)
	switch {
	case errors.Is(err, enroll.ErrBadKey):
		return nil, invalidf("no contact %q: %v; name them by email, phone or id (`rapport contacts` lists them)", key, err)
	case store.IsNotFound(err):
		return nil, invalidf("no contact %q: try `rapport contacts %s` to search, or import them first", key, shellWord(key))
	case err != nil:
		return nil, err
	}
	return ct, nil
}

// shellWord quotes s for the rep to paste into a shell when it needs it.
func shellWord(s string) string {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '@' || r == '.' || r == '+' || r == '-' || r == '_') {
			return fmt.Sprintf("%q", s)
		}
	}
	return s
}
