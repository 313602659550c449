package sms

import (
	"errors"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/rapportapp/rapport/internal/channel"
	"github.com/twilio/twilio-go/client"
)

// How long to hold off after Twilio asks us to slow down.
const (
	retryRateLimited = time.Minute
	retryQueueFull   = time.Hour // 21611: the sender's queue holds >10 hours of texts
)

// classify turns what twilio-go returned into a *channel.Error.
func classify(err error) *channel.Error {
	var rest *client.TwilioRestError
	if errors.As(err, &rest) {
		return classifyRest(rest)
	}
	// Anything else never reached a Twilio verdict: a network error, a
	// timeout, or an error page twilio-go could not read as Twilio JSON (an
	// HTML 429 or 502 from a proxy). All are worth retrying; where the text
	// may have been created, the engine verifies before resending.
	ce := &channel.Error{Class: channel.Temporary, Err: err}
	var netErr net.Error
	if !errors.As(err, &netErr) {
		ce.RetryAfter = retryRateLimited // most often a proxy's 429 page
	}
	return ce
}

func classifyRest(e *client.TwilioRestError) *channel.Error {
	ce := &channel.Error{Code: strconv.Itoa(e.Code), Msg: e.Message, Err: e}
	if e.Code == 0 {
		ce.Code = strconv.Itoa(e.Status)
	}
	class, hint, known := policy(e.Code)
	if !known {
		class = classifyStatus(e.Status)
	}
	ce.Class = class
	if hint != "" {
		ce.Msg += ": " + hint
	}
	switch {
	case e.Code == 21611:
		ce.RetryAfter = retryQueueFull
	case e.Code == 20429 || e.Status == http.StatusTooManyRequests:
		ce.RetryAfter = retryRateLimited
	}
	return ce
}

// policy is what we do about each Twilio error code we know (meanings from
// Twilio's error reference), with a hint for the rep when the fix is theirs.
func policy(code int) (class channel.Class, hint string, known bool) {
	switch code {
	case 20429: // too many requests: never processed, safe to retry
		return channel.Temporary, "", true
	case 21611: // the sender's queue is full
		return channel.Temporary, "Twilio is holding over 10 hours of texts from this number; sending resumes later", true
	case 21610: // the recipient texted STOP to this sender
		return channel.OptedOut, "", true
	case 21211, // 'To' is not a valid phone number
		21612, // 'To' cannot be reached from this sender
		21614, // 'To' is not a mobile number
		21635: // 'To' is a landline
		return channel.InvalidAddress, "", true
	// 21602 (no body) and 21617 (body over 1600 characters) are about the
	// text, not the number: they stay Permanent so the rep fixes the
	// template instead of the customer's number being marked unusable.
	case 20003:
		return channel.Misconfigured, "check account_sid and auth_token in [sms.twilio] of config.toml", true
	case 20404:
		return channel.Misconfigured, "check account_sid and api_base_url in [sms.twilio] of config.toml", true
	case 21408:
		return channel.Misconfigured, "allow texting this country in the Twilio Console under Messaging > Settings > Geo permissions", true
	case 21606:
		return channel.Misconfigured, "set from in [sms.twilio] to an SMS-capable number of this Twilio account", true
	case 21222, 21224: // twilio-go refused the SID or token before calling
		return channel.Misconfigured, "check account_sid and auth_token in [sms.twilio] of config.toml", true
	}
	return channel.Permanent, "", false
}

// classifyStatus decides for codes we have no policy for. A 5xx may mean
// the text was created and only the answer failed: it is still Temporary,
// because the engine asks Twilio (Verify) before sending it again.
func classifyStatus(status int) channel.Class {
	switch {
	case status == http.StatusTooManyRequests || status >= 500:
		return channel.Temporary
	case status == http.StatusUnauthorized:
		return channel.Misconfigured
	}
	return channel.Permanent
}
