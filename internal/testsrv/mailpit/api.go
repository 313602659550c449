package mailpit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"testing"
	"time"
)

// The JSON shapes below mirror Mailpit v1.33.1's internal/storage structs
// (MessageSummary, Message, Attachment, ListUnsubscribe) and
// internal/smtpd/chaos.Triggers; Mailpit encodes them with Go's default
// field names.

// Address is a net/mail.Address as Mailpit encodes it.
type Address struct {
	Name    string
	Address string
}

// Summary is one entry of GET /api/v1/messages.
type Summary struct {
	ID          string // Mailpit's database ID, for Message, Headers and Raw
	MessageID   string // the Message-ID header, without angle brackets
	From        *Address
	To          []Address
	Cc          []Address
	ReplyTo     []Address
	Subject     string
	Created     time.Time
	Tags        []string
	Size        uint64
	Attachments int
	Snippet     string
}

// Detail is GET /api/v1/message/{ID}.
type Detail struct {
	ID              string
	MessageID       string
	From            *Address
	To              []Address
	Cc              []Address
	ReplyTo         []Address
	ReturnPath      string
	Subject         string
	ListUnsubscribe ListUnsubscribe
	Date            time.Time
	Tags            []string
	Username        string // SMTP login used, if any
	Text            string
	HTML            string
	Size            uint64
	Inline          []Attachment
	Attachments     []Attachment
}

// ListUnsubscribe is Mailpit's reading of List-Unsubscribe(-Post).
type ListUnsubscribe struct {
	Header     string
	Links      []string
	Errors     string
	HeaderPost string
}

// Attachment is one attachment or inline part.
type Attachment struct {
	PartID      string
	FileName    string
	ContentType string
	ContentID   string
	Size        uint64
}

// Chaos sets Mailpit's failure injection (PUT /api/v1/chaos): each trigger
// answers MAIL FROM, RCPT TO or AUTH with ErrorCode, Probability percent of
// the time. Mailpit never fails after DATA; use smtpsink for that.
type Chaos struct {
	Sender         Trigger
	Recipient      Trigger
	Authentication Trigger
}

// Trigger is one chaos rule; Probability 0 turns it off.
type Trigger struct {
	ErrorCode   int
	Probability int
}

// Messages returns every stored message, newest first.
func (s *Server) Messages(tb testing.TB) []Summary {
	tb.Helper()
	var res struct{ Messages []Summary }
	s.getJSON(tb, "/api/v1/messages?limit=0", &res) // limit=0: no paging
	return res.Messages
}

// Message returns one message's parsed content.
func (s *Server) Message(tb testing.TB, id string) Detail {
	tb.Helper()
	var d Detail
	s.getJSON(tb, "/api/v1/message/"+url.PathEscape(id), &d)
	return d
}

// Headers returns one message's top-level headers as net/mail parsed them.
func (s *Server) Headers(tb testing.TB, id string) map[string][]string {
	tb.Helper()
	var h map[string][]string
	s.getJSON(tb, "/api/v1/message/"+url.PathEscape(id)+"/headers", &h)
	return h
}

// Raw returns the message exactly as it arrived.
func (s *Server) Raw(tb testing.TB, id string) []byte {
	tb.Helper()
	return s.do(tb, http.MethodGet, "/api/v1/message/"+url.PathEscape(id)+"/raw", nil)
}

// WaitCount polls until Mailpit holds at least n messages and returns
// them; it fails the test if that takes longer than deadline.
func (s *Server) WaitCount(tb testing.TB, n int, deadline time.Duration) []Summary {
	tb.Helper()
	end := time.Now().Add(deadline)
	for {
		msgs := s.Messages(tb)
		if len(msgs) >= n {
			return msgs
		}
		if time.Now().After(end) {
			tb.Fatalf("mailpit: have %d messages after %s, want %d", len(msgs), deadline, n)
		}
		time.Sleep(pollInterval)
	}
}

// DeleteAll deletes every stored message.
func (s *Server) DeleteAll(tb testing.TB) {
	tb.Helper()
	s.do(tb, http.MethodDelete, "/api/v1/messages", nil)
}

// SetChaos replaces the failure-injection triggers.
func (s *Server) SetChaos(tb testing.TB, c Chaos) {
	tb.Helper()
	body, err := json.Marshal(c)
	if err != nil {
		tb.Fatalf("mailpit: encode chaos: %v", err)
	}
	s.do(tb, http.MethodPut, "/api/v1/chaos", body)
}

func (s *Server) getJSON(tb testing.TB, path string, v any) {
	tb.Helper()
	body := s.do(tb, http.MethodGet, path, nil)
	if err := json.Unmarshal(body, v); err != nil {
		tb.Fatalf("mailpit: GET %s: decode: %v\n%s", path, err, body)
	}
}

// do sends one API request and returns the body of a 200 answer; anything
// else fails the test.
func (s *Server) do(tb testing.TB, method, path string, body []byte) []byte {
	tb.Helper()
	req, err := http.NewRequest(method, s.APIURL+path, bytes.NewReader(body))
	if err != nil {
		tb.Fatalf("mailpit: %s %s: %v", method, path, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := s.http.Do(req)
	if err != nil {
		tb.Fatalf("mailpit: %s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("mailpit: %s %s: read: %v", method, path, err)
	}
	if resp.StatusCode != http.StatusOK {
		tb.Fatalf("mailpit: %s %s: %s", method, path, statusText(resp, data))
	}
	return data
}

func statusText(resp *http.Response, body []byte) string {
	return fmt.Sprintf("%s: %s", resp.Status, bytes.TrimSpace(body))
}
