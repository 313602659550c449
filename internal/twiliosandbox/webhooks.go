package twiliosandbox

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Signature computes X-Twilio-Signature as Twilio does: the full URL it
// calls (query string included), then each POST parameter's name and value
// with names in sorted order, HMAC-SHA1 keyed by the auth token, base64.
// twilio-go's client.RequestValidator accepts what this returns.
func Signature(authToken, fullURL string, params url.Values) string {
	var b strings.Builder
	b.WriteString(fullURL)
	for _, k := range slices.Sorted(maps.Keys(params)) {
		values := slices.Clone(params[k])
		slices.Sort(values)
		for _, v := range values {
			b.WriteString(k)
			b.WriteString(v)
		}
	}
	mac := hmac.New(sha1.New, []byte(authToken))
	mac.Write([]byte(b.String()))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// SignedForm returns the X-Twilio-Signature Twilio would send with params
// POSTed to fullURL for this server's account.
func (s *Server) SignedForm(fullURL string, params url.Values) string {
	return Signature(s.AuthToken, fullURL, params)
}

// InboundSMS is a text a customer sends to the rep's Twilio number.
type InboundSMS struct {
	From                string // the customer's number
	To                  string // the rep's Twilio number
	Body                string
	MessagingServiceSID string
}

// SendInbound plays Twilio receiving a text: it records the message, keeps
// track of STOP and START as Twilio's opt-out handling does (later sends
// to a STOPped number get 21610), and POSTs the signed webhook form to
// webhookURL. It returns the webhook's HTTP status.
func (s *Server) SendInbound(ctx context.Context, webhookURL string, in InboundSMS) (int, error) {
	now := s.now()
	m := &Message{
		SID: "SM" + randomHex(16), AccountSID: s.AccountSID, Direction: Inbound,
		To: in.To, From: in.From, MessagingServiceSID: in.MessagingServiceSID, Body: in.Body,
		Status: StatusReceived, NumSegments: Segments(in.Body), Created: now, Sent: now, Updated: now,
	}
	s.add(m)
	form := url.Values{
		"MessageSid": {m.SID}, "SmsSid": {m.SID}, "SmsMessageSid": {m.SID},
		"AccountSid": {s.AccountSID}, "From": {in.From}, "To": {in.To}, "Body": {in.Body},
		"NumMedia": {"0"}, "NumSegments": {strconv.Itoa(m.NumSegments)},
		"SmsStatus": {StatusReceived}, "ApiVersion": {"2010-04-01"},
	}
	if in.MessagingServiceSID != "" {
		form.Set("MessagingServiceSid", in.MessagingServiceSID)
	}
	if kind := s.applyOptOut(in.From, in.Body); kind != "" {
		form.Set("OptOutType", kind)
	}
	s.logger().Info("twilio sandbox: text received", "sid", m.SID, "from", in.From, "to", in.To)
	return s.post(ctx, webhookURL, form)
}

// Received returns copies of the inbound messages, oldest first.
func (s *Server) Received() []Message { return s.copies(Inbound) }

// optOutKind maps Twilio's default keywords to OptOutType.
func optOutKind(body string) string {
	switch strings.ToUpper(strings.TrimSpace(body)) {
	case "STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT":
		return "STOP"
	case "START", "YES", "UNSTOP":
		return "START"
	case "HELP", "INFO":
		return "HELP"
	}
	return ""
}

func (s *Server) applyOptOut(from, body string) string {
	kind := optOutKind(body)
	s.mu.Lock()
	defer s.mu.Unlock()
	switch kind {
	case "STOP":
		s.optedOut[from] = true
	case "START":
		delete(s.optedOut, from)
	}
	return kind
}

func (s *Server) isOptedOut(number string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.optedOut[number]
}

// Deliver moves a message to status (sent, delivered, undelivered,
// failed…) with an optional error code (30003, 30007…), and when the
// message was created with a StatusCallback, POSTs the signed callback
// Twilio would send. A callback answered with other than 2xx is an error.
func (s *Server) Deliver(ctx context.Context, sid, status string, errorCode int) error {
	s.mu.Lock()
	m := s.find(sid)
	if m == nil {
		s.mu.Unlock()
		return fmt.Errorf("twilio sandbox: no message %s", sid)
	}
	m.Status, m.ErrorCode, m.Updated = status, errorCode, s.now()
	msg := *m
	s.mu.Unlock()
	if msg.StatusCallback == "" {
		return nil
	}
	form := url.Values{
		"MessageSid": {msg.SID}, "SmsSid": {msg.SID}, "AccountSid": {msg.AccountSID},
		"From": {msg.From}, "To": {msg.To}, "MessageStatus": {status}, "SmsStatus": {status},
		"ApiVersion": {"2010-04-01"},
	}
	if msg.MessagingServiceSID != "" {
		form.Set("MessagingServiceSid", msg.MessagingServiceSID)
	}
	if errorCode != 0 {
		form.Set("ErrorCode", strconv.Itoa(errorCode))
	}
	code, err := s.post(ctx, msg.StatusCallback, form)
	if err == nil && (code < 200 || code > 299) {
		err = fmt.Errorf("twilio sandbox: status callback %s answered %d", msg.StatusCallback, code)
	}
	return err
}

// post sends a signed webhook form and returns the answer's status.
func (s *Server) post(ctx context.Context, target string, form url.Values) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, strings.NewReader(form.Encode()))
	if err != nil {
		return 0, fmt.Errorf("twilio sandbox: webhook %s: %w", target, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("User-Agent", "TwilioProxy/1.1")
	req.Header.Set("X-Twilio-Signature", s.SignedForm(target, form))
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, fmt.Errorf("twilio sandbox: webhook %s: %w", target, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}
