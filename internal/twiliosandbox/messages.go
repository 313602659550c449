package twiliosandbox

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"time"
	"unicode/utf8"
)

// Directions and statuses used by the server (Twilio's enum values).
const (
	OutboundAPI = "outbound-api"
	Inbound     = "inbound"

	StatusQueued   = "queued"
	StatusReceived = "received"
)

// Message is a message the server holds, outbound (created through the
// API) or inbound (simulated with SendInbound).
type Message struct {
	SID                 string
	AccountSID          string
	Direction           string
	To                  string
	From                string // "" when sent through a Messaging Service
	MessagingServiceSID string
	Body                string
	MediaURL            []string
	StatusCallback      string
	Status              string
	ErrorCode           int
	NumSegments         int
	Created             time.Time
	Sent                time.Time
	Updated             time.Time
	// Answered is the HTTP status the create request got: 201, or the
	// status an OnCreate hook gave a message it created but answered
	// with an error.
	Answered int
}

// CreateRequest is what a client asked for in POST .../Messages.json.
type CreateRequest struct {
	To                  string
	From                string
	MessagingServiceSID string
	Body                string
	MediaURL            []string
	ContentSID          string
	StatusCallback      string
	Form                url.Values // every parameter, as sent
}

func parseCreate(form url.Values) CreateRequest {
	return CreateRequest{
		To:                  form.Get("To"),
		From:                form.Get("From"),
		MessagingServiceSID: form.Get("MessagingServiceSid"),
		Body:                form.Get("Body"),
		MediaURL:            form["MediaUrl"],
		ContentSID:          form.Get("ContentSid"),
		StatusCallback:      form.Get("StatusCallback"),
		Form:                form,
	}
}

var e164 = regexp.MustCompile(`^\+[1-9][0-9]{1,14}$`)

// maxBody is Twilio's limit on a message body, in characters.
const maxBody = 1600

// validate checks a create request the way Twilio does, in the same order,
// and returns the HTTP status, Twilio code and message of the first problem.
func (s *Server) validate(req CreateRequest) (status, code int, msg string) {
	switch {
	case req.To == "":
		return 400, CodeToRequired, "A 'To' phone number is required."
	case req.From == "" && req.MessagingServiceSID == "":
		return 400, CodeFromRequired, "A 'From' phone number is required."
	case req.Body == "" && len(req.MediaURL) == 0 && req.ContentSID == "":
		return 400, CodeBodyRequired, "Message body is required."
	case !e164.MatchString(req.To):
		return 400, CodeInvalidTo, fmt.Sprintf("The 'To' number %s is not a valid phone number.", req.To)
	case utf8.RuneCountInString(req.Body) > maxBody:
		return 400, CodeBodyTooLong, "The concatenated message body exceeds the 1600 character limit."
	case s.isOptedOut(req.To):
		return 400, CodeUnsubscribed, "Attempt to send to unsubscribed recipient"
	}
	return 0, 0, ""
}

func (s *Server) handleCreate(w http.ResponseWriter, r *http.Request) {
	if !s.checkAccount(w, r) {
		return
	}
	if err := r.ParseForm(); err != nil {
		WriteError(w, 400, CodeInvalidParameter, "Invalid form body")
		return
	}
	req := parseCreate(r.PostForm)
	// The hook goes before validation so that whoever set it gets exactly
	// the answer it asked for.
	if s.OnCreate != nil && s.OnCreate(w, r, req) {
		return
	}
	if status, code, msg := s.validate(req); status != 0 {
		WriteError(w, status, code, msg)
		return
	}
	s.WriteMessage(w, http.StatusCreated, s.Create(req, http.StatusCreated))
}

// Create records req as a new outbound message, queued as Twilio queues
// it, and returns a copy of it. answered is the HTTP status the request is
// (or will be) answered with, kept in Message.Answered.
func (s *Server) Create(req CreateRequest, answered int) Message {
	now := s.now()
	m := &Message{
		SID:                 "SM" + randomHex(16),
		AccountSID:          s.AccountSID,
		Direction:           OutboundAPI,
		To:                  req.To,
		From:                req.From,
		MessagingServiceSID: req.MessagingServiceSID,
		Body:                req.Body,
		MediaURL:            req.MediaURL,
		StatusCallback:      req.StatusCallback,
		Status:              StatusQueued,
		NumSegments:         Segments(req.Body),
		Created:             now,
		Sent:                now, // the sandbox "sends" at once, so DateSent filters see it
		Updated:             now,
		Answered:            answered,
	}
	s.add(m)
	s.logger().Info("twilio sandbox: text queued", "sid", m.SID, "to", m.To, "from", m.From, "segments", m.NumSegments)
	s.logger().Debug("twilio sandbox: text body", "sid", m.SID, "body", m.Body)
	return *m
}

func (s *Server) add(m *Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.messages = append(s.messages, m)
}

// Sent returns copies of the outbound messages, oldest first, including
// those created but answered with an error.
func (s *Server) Sent() []Message { return s.copies(OutboundAPI) }

// copies returns copies of the messages going in direction, oldest first.
func (s *Server) copies(direction string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, m := range s.messages {
		if m.Direction == direction {
			out = append(out, *m)
		}
	}
	return out
}

// Message returns a copy of the message with the given SID.
func (s *Server) Message(sid string) (Message, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m := s.find(sid); m != nil {
		return *m, true
	}
	return Message{}, false
}

// find returns the stored message with sid; the caller holds s.mu.
func (s *Server) find(sid string) *Message {
	for _, m := range s.messages {
		if m.SID == sid {
			return m
		}
	}
	return nil
}

var messageFile = regexp.MustCompile(`^((?:SM|MM)[0-9a-fA-F]{32})\.json$`)

func (s *Server) handleFetch(w http.ResponseWriter, r *http.Request) {
	if !s.checkAccount(w, r) {
		return
	}
	match := messageFile.FindStringSubmatch(r.PathValue("file"))
	if match == nil {
		s.handleNotFound(w, r)
		return
	}
	m, ok := s.Message(match[1])
	if !ok {
		s.handleNotFound(w, r)
		return
	}
	s.WriteMessage(w, http.StatusOK, m)
}

// WriteMessage answers with m as Twilio's message JSON.
func (s *Server) WriteMessage(w http.ResponseWriter, status int, m Message) {
	writeJSON(w, status, s.wire(m))
}

// messageJSON is the api.v2010.account.message schema; nullable fields
// are pointers so they come out as null, as Twilio sends them.
type messageJSON struct {
	AccountSID          string            `json:"account_sid"`
	APIVersion          string            `json:"api_version"`
	Body                string            `json:"body"`
	DateCreated         string            `json:"date_created"`
	DateSent            *string           `json:"date_sent"`
	DateUpdated         string            `json:"date_updated"`
	Direction           string            `json:"direction"`
	ErrorCode           *int              `json:"error_code"`
	ErrorMessage        *string           `json:"error_message"`
	From                *string           `json:"from"`
	MessagingServiceSID *string           `json:"messaging_service_sid"`
	NumMedia            string            `json:"num_media"`
	NumSegments         string            `json:"num_segments"`
	Price               *string           `json:"price"`
	PriceUnit           string            `json:"price_unit"`
	SID                 string            `json:"sid"`
	Status              string            `json:"status"`
	SubresourceURIs     map[string]string `json:"subresource_uris"`
	To                  string            `json:"to"`
	URI                 string            `json:"uri"`
}

// rfc2822 is how Twilio writes dates: "Thu, 24 Aug 2023 05:01:45 +0000".
const rfc2822 = time.RFC1123Z

func (s *Server) wire(m Message) messageJSON {
	base := fmt.Sprintf("/2010-04-01/Accounts/%s/Messages/%s", m.AccountSID, m.SID)
	j := messageJSON{
		AccountSID:          m.AccountSID,
		APIVersion:          "2010-04-01",
		Body:                m.Body,
		DateCreated:         m.Created.UTC().Format(rfc2822),
		DateUpdated:         m.Updated.UTC().Format(rfc2822),
		Direction:           m.Direction,
		From:                optional(m.From),
		MessagingServiceSID: optional(m.MessagingServiceSID),
		NumMedia:            strconv.Itoa(len(m.MediaURL)),
		NumSegments:         strconv.Itoa(m.NumSegments),
		PriceUnit:           "USD",
		SID:                 m.SID,
		Status:              m.Status,
		SubresourceURIs:     map[string]string{"media": base + "/Media.json"},
		To:                  m.To,
		URI:                 base + ".json",
	}
	if !m.Sent.IsZero() {
		j.DateSent = optional(m.Sent.UTC().Format(rfc2822))
	}
	if m.ErrorCode != 0 {
		j.ErrorCode = &m.ErrorCode
		j.ErrorMessage = optional(fmt.Sprintf("Error %d", m.ErrorCode))
	}
	return j
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
