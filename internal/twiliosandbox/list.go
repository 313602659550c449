package twiliosandbox

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"
)

// listFilter is what GET .../Messages.json filters on. Twilio compares
// DateSent by calendar day in GMT, whatever time of day the value carries.
type listFilter struct {
	to, from         string
	on, after, until time.Time // days (UTC midnight); zero when unset
}

func (f listFilter) match(m *Message) bool {
	if (f.to != "" && m.To != f.to) || (f.from != "" && m.From != f.from) {
		return false
	}
	if f.on.IsZero() && f.after.IsZero() && f.until.IsZero() {
		return true
	}
	if m.Sent.IsZero() {
		return false // not sent yet: no date_sent to compare
	}
	day := utcDay(m.Sent)
	return (f.on.IsZero() || day.Equal(f.on)) &&
		(f.after.IsZero() || !day.Before(f.after)) &&
		(f.until.IsZero() || !day.After(f.until))
}

// dateLayouts are the DateSent forms Twilio's definition shows, plus the
// RFC 3339 that twilio-go sends.
var dateLayouts = []string{
	"2006-01-02",
	time.RFC3339,
	time.RFC1123Z,
	"2006-01-02 15:04:05.000",
	"01/02/2006 15:04:05 MST",
}

func parseDay(v string) (time.Time, error) {
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, v); err == nil {
			return utcDay(t), nil
		}
	}
	return time.Time{}, fmt.Errorf("invalid date %q", v)
}

func utcDay(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func parseFilter(q url.Values) (listFilter, error) {
	f := listFilter{to: q.Get("To"), from: q.Get("From")}
	for key, dst := range map[string]*time.Time{"DateSent": &f.on, "DateSent>": &f.after, "DateSent<": &f.until} {
		if v := q.Get(key); v != "" {
			day, err := parseDay(v)
			if err != nil {
				return f, fmt.Errorf("%s: %w", key, err)
			}
			*dst = day
		}
	}
	return f, nil
}

// paging reads PageSize (1–1000, default 50) and Page (from 0).
func paging(q url.Values) (size, page int, err error) {
	size, page = 50, 0
	if v := q.Get("PageSize"); v != "" {
		if size, err = strconv.Atoi(v); err != nil || size < 1 || size > 1000 {
			return 0, 0, fmt.Errorf("PageSize must be between 1 and 1000, got %q", v)
		}
	}
	if v := q.Get("Page"); v != "" {
		if page, err = strconv.Atoi(v); err != nil || page < 0 {
			return 0, 0, fmt.Errorf("page must be 0 or more, got %q", v)
		}
	}
	return size, page, nil
}

// listJSON is ListMessageResponse.
type listJSON struct {
	End             int           `json:"end"`
	FirstPageURI    string        `json:"first_page_uri"`
	NextPageURI     *string       `json:"next_page_uri"`
	Page            int           `json:"page"`
	PageSize        int           `json:"page_size"`
	PreviousPageURI *string       `json:"previous_page_uri"`
	Start           int           `json:"start"`
	URI             string        `json:"uri"`
	Messages        []messageJSON `json:"messages"`
}

func (s *Server) handleList(w http.ResponseWriter, r *http.Request) {
	if !s.checkAccount(w, r) {
		return
	}
	q := r.URL.Query()
	filter, err := parseFilter(q)
	if err == nil {
		_, _, err = paging(q)
	}
	if err != nil {
		WriteError(w, http.StatusBadRequest, CodeInvalidParameter, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, s.page(r.URL.Path, q, s.matching(filter)))
}

// matching returns copies of the messages filter accepts, newest first,
// the order Twilio lists them in.
func (s *Server) matching(f listFilter) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, m := range slices.Backward(s.messages) {
		if f.match(m) {
			out = append(out, *m)
		}
	}
	slices.SortStableFunc(out, func(a, b Message) int { return b.Created.Compare(a.Created) })
	return out
}

// page cuts one page out of all and links the next one the way Twilio
// does: next_page_uri repeats the filters with Page+1 and a PageToken.
func (s *Server) page(path string, q url.Values, all []Message) listJSON {
	size, page, _ := paging(q)
	start := min(page*size, len(all))
	end := min(start+size, len(all))
	uri := func(p int, token string) string {
		v := url.Values{}
		for _, k := range []string{"To", "From", "DateSent", "DateSent<", "DateSent>"} {
			if q.Has(k) {
				v.Set(k, q.Get(k))
			}
		}
		v.Set("PageSize", strconv.Itoa(size))
		v.Set("Page", strconv.Itoa(p))
		if token != "" {
			v.Set("PageToken", token)
		}
		return path + "?" + v.Encode()
	}
	out := listJSON{
		FirstPageURI: uri(0, ""), URI: uri(page, q.Get("PageToken")),
		Page: page, PageSize: size, Start: start, End: max(end-1, start),
		Messages: []messageJSON{},
	}
	for _, m := range all[start:end] {
		out.Messages = append(out.Messages, s.wire(m))
	}
	if end < len(all) {
		out.NextPageURI = optional(uri(page+1, "PA"+all[end-1].SID))
	}
	if page > 0 && start < len(all) {
		out.PreviousPageURI = optional(uri(page-1, "PB"+all[start].SID))
	}
	return out
}
