package main

import (
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"

	"github.com/rapportapp/rapport/internal/contact"
	"github.com/rapportapp/rapport/internal/inbox"
	"github.com/rapportapp/rapport/internal/twiliosandbox"
)

const devUsage = `usage: rapport dev twilio-sandbox [--listen 127.0.0.1:8089] [--sid AC...] [--token TOKEN]
   or: rapport dev text FROM "MESSAGE"`

// cmdDev holds tools for trying Rapport without real accounts.
func cmdDev(e *env, args []string) error {
	switch {
	case len(args) > 0 && args[0] == "twilio-sandbox":
		return devSandbox(e, args[1:])
	case len(args) > 0 && args[0] == "text":
		return devText(e, args[1:])
	case len(args) > 0 && isHelp(args[0]):
		fmt.Fprintln(e.io.out, devUsage)
		return nil
	}
	return invalidf("%s", devUsage)
}

// devSandbox serves the Twilio stand-in until interrupted.
func devSandbox(e *env, args []string) error {
	fs := newFlags(e, "dev twilio-sandbox", "[--listen ADDR] [--sid AC...] [--token TOKEN]")
	listen := fs.String("listen", "127.0.0.1:8089", "address to serve the sandbox on")
	sid := fs.String("sid", "AC00000000000000000000000000000000", "account SID the sandbox accepts")
	token := fs.String("token", "sandboxtoken", "auth token the sandbox accepts")
	if _, err := flags(fs, args); err != nil {
		return err
	}
	srv := twiliosandbox.New(*sid, *token)
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

// devText takes a text as if a customer had sent it through Twilio: the
// same handling as the webhook (STOP and HELP, flags, pause, the alert to
// the rep, which a running daemon then sends), without an account or a
// signed request. For trying replies, and the dashboard, on a test set.
func devText(e *env, args []string) error {
	pos, err := flags(newFlags(e, "dev text", `FROM "MESSAGE"`), args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return invalidf("usage: rapport dev text FROM \"MESSAGE\" (FROM: the customer's mobile number)")
	}
	f, st, err := e.loadAndOpen()
	if err != nil {
		return err
	}
	defer st.Close()
	from, err := contact.NormalizePhone(pos[0], f.cfg.Rep.Country)
	if err != nil {
		return invalid{err}
	}
	eng, err := e.engineFor(f, st, discardLogger())
	if err != nil {
		return err
	}
	sid := "SMdev" + rand.Text()
	answer, err := inbox.New(st, eng, e.clock, discardLogger()).ReceiveSMS(e.ctx, inbox.SMS{
		MessageSID: sid, From: from, To: f.content.RepPhone, Body: pos[1],
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.io.out, "took a text from %s as if through Twilio (%s)\n", from, sid)
	if answer != "" {
		fmt.Fprintf(e.io.out, "Rapport answers it with: %s\n", answer)
	}
	fmt.Fprintln(e.io.out, "rapport replies and rapport contacts show what it did; a running daemon sends you any alert")
	return nil
}

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
