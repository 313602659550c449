package dashboard

import (
	"context"
	"net/http"

	"github.com/rapportapp/rapport/internal/store"
)

// Orders on the customer's page: add one (its journey shows on the page
// it leads back to), correct its date, cancel it.

func (d *Dashboard) addOrder(w http.ResponseWriter, r *http.Request, s *session) error {
	ws, c, err := d.workspaceAndContact(r)
	if err != nil {
		return err
	}
	_, err = ws.AddOrder(r.Context(), c, r.PostFormValue("date"), r.PostFormValue("invoice"), r.PostFormValue("items"), d.cfg.Clock())
	return d.changed(w, r, s, c, err)
}

// pathOrder is the order the path's {oid} names, if it is the contact's.
func (d *Dashboard) pathOrder(ctx context.Context, r *http.Request, c *store.Contact) (int64, error) {
	oid, err := pathID(r, "oid")
	if err != nil {
		return 0, err
	}
	o, err := d.cfg.Store.Order(ctx, oid)
	if store.IsNotFound(err) || err == nil && o.ContactID != c.ID {
		return 0, &statusError{http.StatusNotFound, "There is no such order."}
	}
	if err != nil {
		return 0, err
	}
	return oid, nil
}

func (d *Dashboard) orderDate(w http.ResponseWriter, r *http.Request, s *session) error {
	ws, c, err := d.workspaceAndContact(r)
	if err != nil {
		return err
	}
	oid, err := d.pathOrder(r.Context(), r, c)
	if err != nil {
		return err
	}
	_, err = ws.SetOrderDate(r.Context(), oid, r.PostFormValue("date"), d.cfg.Clock())
	return d.changed(w, r, s, c, err)
}

func (d *Dashboard) cancelOrder(w http.ResponseWriter, r *http.Request, s *session) error {
	ws, c, err := d.workspaceAndContact(r)
	if err != nil {
		return err
	}
	oid, err := d.pathOrder(r.Context(), r, c)
	if err != nil {
		return err
	}
	_, _, err = ws.CancelOrder(r.Context(), oid, d.cfg.Clock())
	return d.changed(w, r, s, c, err)
}
