package engine

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/rapportapp/rapport/internal/cases"
	"github.com/rapportapp/rapport/internal/channel"
	"github.com/rapportapp/rapport/internal/store"
	"github.com/rapportapp/rapport/internal/tmpl"
)

// CaseUpdate is the update a customer is offered when their case
// changes, for the rep to edit before it goes through the conversation.
type CaseUpdate struct {
	Contact *store.Contact
	Source  string // the template's file name in templates/cases/
	Channel string
	Text    string
}

// CaseUpdate renders the update in dir (the rep's templates/cases/) that
// matches k's state or outcome, for k's customer: a text when one is
// written and they have a phone, else an email. Nil when no update is
// written for that state.
func (e *Engine) CaseUpdate(ctx context.Context, dir string, k *store.Case) (*CaseUpdate, error) {
	name := cases.UpdateTemplate(k.State, k.Outcome)
	set, err := tmpl.LoadDir(dir)
	if err != nil || (!set.Has(name, channel.SMS) && !set.Has(name, channel.Email)) {
		return nil, nil // no update written for this state: nothing to offer
	}
	ct, err := e.store.Contact(ctx, k.ContactID)
	if err != nil {
		return nil, fmt.Errorf("update for case %d: %w", k.ID, err)
	}
	var o *store.Order
	if k.OrderID != 0 {
		if o, err = e.store.Order(ctx, k.OrderID); err != nil && !store.IsNotFound(err) {
			return nil, fmt.Errorf("update for case %d: %w", k.ID, err)
		}
	}
	ch := channel.SMS
	if !set.Has(name, ch) || ct.Phone == "" {
		ch = channel.Email
	}
	if !set.Has(name, ch) {
		return nil, nil
	}
	r, err := set.Render(name, ch, 0, TemplateData(e.Content(), "", ct, o, ""))
	if err != nil {
		return nil, fmt.Errorf("update for case %d: %w", k.ID, err)
	}
	return &CaseUpdate{Contact: ct, Source: filepath.Base(r.Source), Channel: ch, Text: r.Text}, nil
}
