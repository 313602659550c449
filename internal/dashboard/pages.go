package dashboard

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/rapportapp/rapport/internal/store"
)

// The list pages show one page of rows at a time, read from where the
// last page ended (store.ContactsPage, store.RepliesPage): a request
// costs the same with a hundred contacts or a million. A "next page"
// link's "after" parameter says where that was.
const (
	contactsPerPage = 100
	repliesPerPage  = 50
)

var errBadCursor = &statusError{http.StatusBadRequest, "That page link is broken: start again from the first page."}

// contactCursor reads "RANGE.ID.KEY", the last contact of the page
// before.
func contactCursor(s string) (store.ContactCursor, error) {
	if s == "" {
		return store.ContactCursor{}, nil
	}
	parts := strings.SplitN(s, ".", 3)
	if len(parts) != 3 {
		return store.ContactCursor{}, errBadCursor
	}
	r, err1 := strconv.Atoi(parts[0])
	id, err2 := strconv.ParseInt(parts[1], 10, 64)
	if err1 != nil || err2 != nil {
		return store.ContactCursor{}, errBadCursor
	}
	return store.ContactCursor{Range: r, ID: id, Key: parts[2]}, nil
}

// contactsLink is the contacts page for query q, after c (nil: the first).
func contactsLink(q string, c *store.ContactCursor) string {
	v := url.Values{}
	if q != "" {
		v.Set("q", q)
	}
	if c != nil {
		v.Set("after", fmt.Sprintf("%d.%d.%s", c.Range, c.ID, c.Key))
	}
	return withQuery("/dashboard/contacts", v)
}

// replyCursor reads "HANDLED.UNFLAGGED.RECEIVED.ID" (0 or 1 for the
// first two), the last reply of the page before.
func replyCursor(s string) (store.ReplyCursor, error) {
	if s == "" {
		return store.ReplyCursor{}, nil
	}
	parts := strings.Split(s, ".")
	if len(parts) != 4 {
		return store.ReplyCursor{}, errBadCursor
	}
	var n [4]int64
	for i, p := range parts {
		v, err := strconv.ParseInt(p, 10, 64)
		if err != nil {
			return store.ReplyCursor{}, errBadCursor
		}
		n[i] = v
	}
	return store.ReplyCursor{Handled: n[0] != 0, Unflagged: n[1] != 0, Received: n[2], ID: n[3]}, nil
}

// repliesLink is the replies page (with handled ones when all), after c
// (nil: the first).
func repliesLink(all bool, c *store.ReplyCursor) string {
	v := url.Values{}
	if all {
		v.Set("all", "1")
	}
	if c != nil {
		v.Set("after", fmt.Sprintf("%d.%d.%d.%d", b2i(c.Handled), b2i(c.Unflagged), c.Received, c.ID))
	}
	return withQuery("/dashboard/replies", v)
}

// conversationCursor reads the home page's "after" parameter, written by
// conversationsLink.
func conversationCursor(s string) (store.ConversationCursor, error) {
	if s == "" {
		return store.ConversationCursor{}, nil
	}
	parts := strings.Split(s, ".")
	if len(parts) != 4 {
		return store.ConversationCursor{}, errBadCursor
	}
	var n [4]int64
	for i, p := range parts {
		v, err := strconv.ParseInt(p, 10, 64)
		if err != nil {
			return store.ConversationCursor{}, errBadCursor
		}
		n[i] = v
	}
	return store.ConversationCursor{Quiet: n[0] != 0, Unflagged: n[1] != 0, LastAt: n[2], ContactID: n[3]}, nil
}

// conversationsLink is the home page after c.
func conversationsLink(c *store.ConversationCursor) string {
	v := url.Values{"after": {fmt.Sprintf("%d.%d.%d.%d", b2i(c.Quiet), b2i(c.Unflagged), c.LastAt, c.ContactID)}}
	return withQuery("/dashboard/", v)
}

func withQuery(path string, v url.Values) string {
	if len(v) == 0 {
		return path
	}
	return path + "?" + v.Encode()
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
