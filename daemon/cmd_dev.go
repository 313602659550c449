package main

import (
	"fmt"
	"io"
	"log/slog"

	"github.com/rapportapp/rapport/internal/twiliotest"
)

// cmdDev holds tools for trying Rapport without real accounts.
func cmdDev(e *env, args []string) error {
	if len(args) == 0 || args[0] != "twilio-sandbox" {
		return invalidf("usage: rapport dev twilio-sandbox [--listen 127.0.0.1:8089] [--sid AC...] [--token TOKEN]")
	}
	fs := newFlags(e, "dev twilio-sandbox", "[--listen ADDR] [--sid AC...] [--token TOKEN]")
	listen := fs.String("listen", "127.0.0.1:8089", "address to serve the sandbox on")
	sid := fs.String("sid", "AC00000000000000000000000000000000", "account SID the sandbox accepts")
	token := fs.String("token", "sandboxtoken", "auth token the sandbox accepts")
	if _, err := flags(fs, args[1:]); err != nil {
		return err
	}
	srv := twiliotest.New(*sid, *token)
	if err := srv.Start(*listen); err != nil {
		return fmt.Errorf("start the Twilio sandbox on %s: %w", *listen, err)
	}
	defer srv.Close()
	fmt.Fprintf(e.io.out, `Twilio sandbox listening on %s — it answers like Twilio's Messages API and sends nothing.
Point Rapport at it in config.toml:

  [sms]
  transport = "twilio"
  [sms.twilio]
  account_sid = %q
  auth_token = %q
  from = "+13125550100"
  api_base_url = %q

Texts Rapport "sends" are listed at %s/2010-04-01/Accounts/%s/Messages.json
Stop with Ctrl-C.
`, srv.URL, *sid, *token, srv.URL, srv.URL, *sid)
	<-e.ctx.Done()
	return nil
}

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
