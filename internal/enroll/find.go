package enroll

import (
	"context"
	"errors"
	"fmt"

	"github.com/rapportapp/rapport/internal/contact"
	"github.com/rapportapp/rapport/internal/store"
)

// ErrBadKey means what the rep typed names no contact at all: it is not an
// email, a phone number or an id.
var ErrBadKey = errors.New("not an email, phone or contact id")

// FindContact finds the contact a rep names by email, phone (in any format,
// read with the rep's country, region) or id (see contact.ParseKey). It
// returns an error wrapping store.ErrNotFound when no contact has it, and
// one wrapping ErrBadKey when key cannot name one.
func FindContact(ctx context.Context, st *store.Store, region, key string) (*store.Contact, error) {
	k, err := contact.ParseKey(key, region)
	if err != nil {
		return nil, badKey{err}
	}
	var ct *store.Contact
	switch {
	case k.Email != "":
		ct, err = st.ContactByEmail(ctx, k.Email)
	case k.Phone != "":
		ct, err = st.ContactByPhone(ctx, k.Phone)
	default:
		ct, err = st.Contact(ctx, k.ID)
	}
	if err != nil {
		return nil, fmt.Errorf("find contact %q: %w", key, err)
	}
	return ct, nil
}

// badKey is ParseKey's error (which says what is wrong with the key), known
// to errors.Is as ErrBadKey.
type badKey struct{ err error }

func (e badKey) Error() string        { return e.err.Error() }
func (e badKey) Unwrap() error        { return e.err }
func (e badKey) Is(target error) bool { return target == ErrBadKey }
