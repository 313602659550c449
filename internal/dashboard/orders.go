package dashboard

import (
	"net/http"

	"github.com/rapportapp/rapport/internal/store"
	"github.com/rapportapp/rapport/internal/workspace"
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

// pathOrder is the workspace, the contact and the order the path's {id}
// and {oid} name, if the order is the contact's.
func (d *Dashboard) pathOrder(r *http.Request) (*workspace.Workspace, *store.Contact, int64, error) {
	ws, c, err := d.workspaceAndContact(r)
	if err != nil {
		return nil, nil, 0, err
	}
	oid, err := pathID(r, "oid")
	if err != nil {
		return nil, nil, 0, err
	}
	o, err := d.cfg.Store.Order(r.Context(), oid)
	if store.IsNotFound(err) || err == nil && o.ContactID != c.ID {
		return nil, nil, 0, &statusError{http.StatusNotFound, "There is no such order."}
	}
	if err != nil {
		return nil, nil, 0, err
	}
	return ws, c, oid, nil
}

func (d *Dashboard) orderDate(w http.ResponseWriter, r *http.Request, s *session) error {
	ws, c, oid, err := d.pathOrder(r)
	if err != nil {
		return err
	}
	_, err = ws.SetOrderDate(r.Context(), oid, r.PostFormValue("date"), d.cfg.Clock())
	return d.changed(w, r, s, c, err)
}

func (d *Dashboard) cancelOrder(w http.ResponseWriter, r *http.Request, s *session) error {
	ws, c, oid, err := d.pathOrder(r)
	if err != nil {
		return err
	}
	_, _, err = ws.CancelOrder(r.Context(), oid, d.cfg.Clock())
	return d.changed(w, r, s, c, err)
}
