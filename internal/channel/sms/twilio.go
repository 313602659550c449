package sms

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/twilio/twilio-go"
	"github.com/twilio/twilio-go/client"
	api "github.com/twilio/twilio-go/rest/api/v2010"
	"golang.org/x/time/rate"

	"github.com/rapportapp/rapport/internal/channel"
)

// TwilioConfig is [sms.twilio] with the secrets already read.
type TwilioConfig struct {
	AccountSID, AuthToken string
	// From is the rep's Twilio number; MessagingServiceSID a Messaging
	// Service to send through instead. At least one is needed.
	From, MessagingServiceSID string
	// APIBaseURL replaces https://api.twilio.com when set (tests and the
	// sandbox point it at a twiliosandbox server).
	APIBaseURL string
	// StatusCallback is where Twilio reports delivery (public_url +
	// "/twilio/status"); "" asks for no reports.
	StatusCallback string
	// Rate is texts per second; 0 means 1.
	Rate float64
	// Timeout bounds each API call, since twilio-go takes no context; 0
	// means 15 seconds.
	Timeout time.Duration
}

const defaultTimeout = 15 * time.Second

// clockSkew is how far Twilio's clock may be behind ours when Verify
// compares date_created with the moment the text was claimed.
const clockSkew = time.Minute

var (
	accountSIDPattern = regexp.MustCompile(`^AC[0-9a-fA-F]{32}$`)
	serviceSIDPattern = regexp.MustCompile(`^MG[0-9a-fA-F]{32}$`)
	tokenPattern      = regexp.MustCompile(`^[A-Za-z0-9]+$`)
)

// check reports every setting twilio-go or Twilio would refuse, in words
// a rep can act on.
func (c TwilioConfig) check() error {
	var errs []error
	if !accountSIDPattern.MatchString(c.AccountSID) {
		errs = append(errs, fmt.Errorf("account_sid %q is not a Twilio Account SID (AC followed by 32 hex digits): copy it from the Twilio Console", c.AccountSID))
	}
	if !tokenPattern.MatchString(c.AuthToken) {
		errs = append(errs, errors.New("auth_token is empty or has characters other than letters and digits: copy it from the Twilio Console"))
	}
	if c.From == "" && c.MessagingServiceSID == "" {
		errs = append(errs, errors.New("set from (your Twilio number, like +13125550100) or messaging_service_sid"))
	}
	if c.MessagingServiceSID != "" && !serviceSIDPattern.MatchString(c.MessagingServiceSID) {
		errs = append(errs, fmt.Errorf("messaging_service_sid %q is not a Messaging Service SID (MG followed by 32 hex digits)", c.MessagingServiceSID))
	}
	if c.Rate < 0 || c.Timeout < 0 {
		errs = append(errs, errors.New("rate and timeout cannot be negative"))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("sms.twilio: %w", err)
	}
	return nil
}

var (
	_ channel.Sender   = (*Twilio)(nil)
	_ channel.Verifier = (*Twilio)(nil)
)

// Twilio sends texts with twilio-go, at most Rate per second.
type Twilio struct {
	cfg     TwilioConfig
	api     *api.ApiService
	limiter *rate.Limiter
}

// NewTwilio checks cfg and builds the twilio-go client.
func NewTwilio(cfg TwilioConfig) (*Twilio, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	hc, err := httpClient(cfg.APIBaseURL, cmp.Or(cfg.Timeout, defaultTimeout))
	if err != nil {
		return nil, fmt.Errorf("sms.twilio: %w", err)
	}
	c := &client.Client{
		Credentials: client.NewCredentials(cfg.AccountSID, cfg.AuthToken),
		HTTPClient:  hc,
	}
	// Given its own Client, twilio-go ignores ClientParams' Username and
	// AccountSid: without this every path is /Accounts//Messages.json.
	c.SetAccountSid(cfg.AccountSID)
	rc := twilio.NewRestClientWithParams(twilio.ClientParams{Client: c})
	return &Twilio{
		cfg:     cfg,
		api:     rc.Api,
		limiter: rate.NewLimiter(rate.Limit(cmp.Or(cfg.Rate, 1)), 1),
	}, nil
}

// Send waits its turn under the rate limit, then asks Twilio to send m and
// returns the Message SID. twilio-go takes no context: ctx bounds only the
// wait, and Timeout bounds the call itself.
func (t *Twilio) Send(ctx context.Context, m *channel.Message) (string, error) {
	if m.To == "" {
		return "", &channel.Error{Class: channel.InvalidAddress, Msg: "no phone number to text"}
	}
	if err := t.limiter.Wait(ctx); err != nil {
		return "", fmt.Errorf("text %d: wait for the send rate: %w", m.ID, err)
	}
	resp, err := t.api.CreateMessage(t.params(m))
	if err != nil {
		return "", classify(err)
	}
	if resp.Sid == nil || *resp.Sid == "" {
		// Twilio may well have queued it: Temporary, and the engine
		// verifies before sending again.
		return "", &channel.Error{Class: channel.Temporary, Msg: "Twilio answered without a message SID"}
	}
	return *resp.Sid, nil
}

func (t *Twilio) params(m *channel.Message) *api.CreateMessageParams {
	p := (&api.CreateMessageParams{}).SetTo(m.To).SetBody(m.Text)
	if t.cfg.From != "" {
		p.SetFrom(t.cfg.From)
	}
	if t.cfg.MessagingServiceSID != "" {
		p.SetMessagingServiceSid(t.cfg.MessagingServiceSID)
	}
	if t.cfg.StatusCallback != "" {
		p.SetStatusCallback(t.cfg.StatusCallback)
	}
	return p
}

// Verify asks Twilio whether m went out after all (the daemon stopped
// between claiming it and recording the answer): a message to m.To with
// m's text, created since m was claimed. The list is filtered by recipient
// only: Twilio's date filter is on date_sent, which stays empty while a
// text waits in Twilio's queue, and such a text must be found too. Twilio
// lists newest first, and a customer gets a few texts a month, so the
// latest 200 reach far past any claim.
func (t *Twilio) Verify(ctx context.Context, m *channel.Message) (string, bool, error) {
	if err := ctx.Err(); err != nil {
		return "", false, err
	}
	p := (&api.ListMessageParams{}).SetTo(m.To).SetPageSize(100).SetLimit(200)
	msgs, err := t.api.ListMessage(p)
	if err != nil {
		return "", false, fmt.Errorf("ask Twilio whether text %d went: %w", m.ID, classify(err))
	}
	since := m.ClaimedAt.Add(-clockSkew)
	for _, x := range msgs {
		if isSendOf(x, m.Text, since) {
			return *x.Sid, true, nil
		}
	}
	return "", false, nil
}

// isSendOf reports whether x is an outbound message with text, created
// at or after since.
func isSendOf(x api.ApiV2010Message, text string, since time.Time) bool {
	if text == "" || x.Sid == nil || x.Body == nil || (x.Direction != nil && *x.Direction == "inbound") {
		return false
	}
	// A suffix, not equality: trial accounts prefix every body with
	// "Sent from your Twilio trial account - ".
	if !strings.HasSuffix(*x.Body, text) {
		return false
	}
	if x.DateCreated == nil {
		return true // no date to compare: never risk a second text
	}
	created, err := time.Parse(time.RFC1123Z, *x.DateCreated)
	return err != nil || !created.Before(since)
}
