package dashboard

import (
	"fmt"
	"net/http"
	"time"

	"github.com/rapportapp/rapport/internal/store"
	"github.com/rapportapp/rapport/internal/workspace"
)

// What goes out in the next seven days, by day and channel, each line
// linking to the customer, each with a button to skip it.

// upcomingDays is how far ahead the page looks.
const upcomingDays = 7

// upcomingLimit bounds the lines shown: a big import can plan thousands
// of messages for one morning.
const upcomingLimit = 500

type upcomingLine struct {
	ID        int64
	ContactID int64
	Who, Step string
	Time      string
}

type upcomingChannel struct {
	Channel string
	Lines   []upcomingLine
}

type upcomingDay struct {
	Date     string
	Channels []upcomingChannel
}

type upcomingPage struct {
	CSRF         string
	Days         []upcomingDay
	Shown, Total int
}

func (d *Dashboard) routeUpcoming(mux *http.ServeMux) {
	mux.HandleFunc("GET /dashboard/upcoming", d.private(d.upcoming))
	mux.HandleFunc("POST /dashboard/upcoming/{mid}/skip", d.private(d.rowAction))
}

func (d *Dashboard) upcoming(w http.ResponseWriter, r *http.Request, s *session) error {
	now := d.cfg.Clock()
	end := d.dayStart(now).AddDate(0, 0, upcomingDays)
	rows, total, err := d.cfg.Store.Upcoming(r.Context(), now.Unix(), end.Unix(), upcomingLimit)
	if err != nil {
		return fmt.Errorf("upcoming messages: %w", err)
	}
	p := upcomingPage{CSRF: s.CSRF, Shown: len(rows), Total: total}
	for _, row := range rows {
		p.add(d.cfg.RepZone, row, row.Channel)
	}
	d.render(w, http.StatusOK, "upcoming", s, p)
	return nil
}

// add puts row under its day (the rep's) and its planned channel (the
// customer's page shows the one their consent leaves); rows come by due
// time, so days come in order and channels in the order first seen.
func (p *upcomingPage) add(zone *time.Location, row store.DayRow, ch string) {
	at := time.Unix(row.DueAt, 0).In(zone)
	date := at.Format("Monday 2 January")
	if n := len(p.Days); n == 0 || p.Days[n-1].Date != date {
		p.Days = append(p.Days, upcomingDay{Date: date})
	}
	day := &p.Days[len(p.Days)-1]
	i := 0
	for i < len(day.Channels) && day.Channels[i].Channel != ch {
		i++
	}
	if i == len(day.Channels) {
		day.Channels = append(day.Channels, upcomingChannel{Channel: ch})
	}
	day.Channels[i].Lines = append(day.Channels[i].Lines, upcomingLine{ID: row.ID, ContactID: row.ContactID,
		Who: orUnnamed(row.ContactName), Step: row.Campaign + "/" + row.Step, Time: at.Format("15:04")})
}

// skipRow skips upcoming row mid for its customer (workspace.Skip).
func (d *Dashboard) skipRow(r *http.Request, ws *workspace.Workspace, mid int64) error {
	var ct *store.Contact
	err := d.cfg.Store.Tx(r.Context(), func(tx *store.Tx) error {
		row, err := tx.DueByID(r.Context(), mid)
		if err != nil {
			return err
		}
		ct = &row.Contact
		return nil
	})
	if store.IsNotFound(err) {
		return &statusError{http.StatusNotFound, "There is no such message."}
	}
	if err != nil {
		return err
	}
	_, err = ws.Skip(r.Context(), ct, mid, d.cfg.Clock())
	return err
}
