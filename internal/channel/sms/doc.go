// Package sms delivers texts: through Twilio (the real service, or a local
// stand-in at api_base_url) or into the outbox folder as one JSON file per
// text, so a new rep sees everything work without an account. Both report
// failures as classified *channel.Error values and can tell, after a crash,
// whether a text already went (Verify).
package sms
