package main

import (
	"fmt"
	"strings"

	"github.com/rapportapp/rapport/internal/campaign"
	"github.com/rapportapp/rapport/internal/channel"
	"github.com/rapportapp/rapport/internal/engine"
	"github.com/rapportapp/rapport/internal/store"
	"github.com/rapportapp/rapport/internal/termsafe"
	"github.com/rapportapp/rapport/internal/tmpl"
)

// cmdSendTest sends one step, rendered for a sample customer (or a real
// one), to the rep herself through the configured transport: the way to
// see a template in a real inbox or on a real phone before customers do.
// Nothing is queued or recorded.
func cmdSendTest(e *env, args []string) error {
	fs := newFlags(e, "send-test", "CAMPAIGN/STEP [--contact EMAIL_OR_PHONE] [--channel email|sms]")
	who := fs.String("contact", "", "render it for this customer and their latest order (default: a sample customer)")
	via := fs.String("channel", "", "email or sms (default: the step's own channel)")
	pos, err := flags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return invalidf("usage: rapport send-test CAMPAIGN/STEP [--contact EMAIL_OR_PHONE] [--channel email|sms]")
	}
	f, err := e.load()
	if err != nil {
		return err
	}
	if err := e.refuseSimulated(f.cfg); err != nil {
		return err
	}
	st, err := e.open(f.cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	c := f.content
	cp, step, err := findStep(c, pos[0])
	if err != nil {
		return err
	}
	ch, to, err := testRoute(c, step, *via)
	if err != nil {
		return err
	}
	data, err := testData(e, f, st, step.ID, *who)
	if err != nil {
		return err
	}
	msg, err := testMessage(e, c, cp, step, ch, to, data)
	if err != nil {
		return err
	}
	snd, err := senders(f.cfg)
	if err != nil {
		return err
	}
	id, err := snd[ch].Send(e.ctx, msg)
	if err != nil {
		return fmt.Errorf("send the test of %s/%s to %s: %w", cp.ID, step.ID, to, err)
	}
	fmt.Fprintf(e.io.out, "sent a test of %s/%s to you at %s by %s (%s): %s\n", cp.ID, step.ID, to, ch, id, termsafe.Line(msg.Subject+firstLine(msg)))
	return nil
}

// findStep finds "campaign/step", or says which steps there are.
func findStep(c *engine.Content, ref string) (*campaign.Campaign, *campaign.Step, error) {
	id, stepID, _ := strings.Cut(ref, "/")
	cp := c.Campaign(id)
	if cp == nil {
		var ids []string
		for _, k := range c.Campaigns {
			ids = append(ids, k.ID)
		}
		return nil, nil, invalidf("no campaign %q: the campaigns are %s", id, strings.Join(ids, ", "))
	}
	s, ok := cp.Step(stepID)
	if !ok {
		var ids []string
		for _, st := range cp.Steps {
			ids = append(ids, cp.ID+"/"+st.ID)
		}
		return nil, nil, invalidf("no step %q in %s: write one of %s", stepID, cp.ID, strings.Join(ids, ", "))
	}
	return cp, s, nil
}

// testRoute picks the channel and the rep's own address on it.
func testRoute(c *engine.Content, s *campaign.Step, via string) (ch, to string, err error) {
	ch = s.Channel
	if via != "" {
		ch = via
	}
	switch ch {
	case channel.Email:
		to = c.RepEmail
	case channel.SMS:
		to = c.RepPhone
	case channel.Task:
		return "", "", invalidf("%s is a task for you: it goes into your daily digest, there is nothing to send (rapport preview shows its text)", s.ID)
	default:
		return "", "", invalidf("--channel %q: use email or sms", via)
	}
	if to == "" {
		return "", "", invalidf("no address of yours for %s: set [rep] %s in config.toml", ch, map[string]string{channel.Email: "email", channel.SMS: "phone"}[ch])
	}
	return ch, to, nil
}

// testData is the sample customer, or a real one with their latest order.
// Its unsubscribe link goes nowhere: a test must not be able to
// unsubscribe a real customer.
func testData(e *env, f *files, st *store.Store, step, who string) (tmpl.Data, error) {
	c := f.content
	unsub := strings.TrimRight(c.PublicURL, "/") + "/unsubscribe/test"
	if who == "" {
		d := tmpl.SampleData()
		d.Rep, d.Step, d.UnsubscribeURL = c.Rep, step, unsub
		return d, nil
	}
	ct, err := e.findContact(f, st, who)
	if err != nil {
		return tmpl.Data{}, err
	}
	o, err := st.LatestOrder(e.ctx, ct.ID)
	if err != nil && !store.IsNotFound(err) {
		return tmpl.Data{}, err
	}
	return engine.TemplateData(c, unsub, ct, o, step), nil
}

// testMessage renders the step (a series' first entry) for the rep.
func testMessage(e *env, c *engine.Content, cp *campaign.Campaign, s *campaign.Step, ch, to string, d tmpl.Data) (*channel.Message, error) {
	index := -1
	if c.Templates.SeriesLen(s.Template, ch) > 0 {
		index = 0
	}
	r, err := c.Templates.Render(s.Template, ch, index, d)
	if err != nil {
		return nil, invalidf("%s/%s: %v", cp.ID, s.ID, err)
	}
	msg := &channel.Message{
		Channel: ch, Campaign: cp.ID, Step: "test-" + s.ID, To: to, ToName: c.Rep.Name,
		Text: r.Text, HTML: r.HTML, Attachments: r.Attachments, UnsubscribeURL: d.UnsubscribeURL,
		MessageID: engine.NewMessageID(c.MsgDomain), Date: e.clock.Now(),
	}
	if ch == channel.Email {
		msg.Subject = "[test] " + r.Subject
	} else {
		msg.Text = "[test] " + tmpl.WithStopNotice(r.Text)
	}
	return msg, nil
}

func firstLine(m *channel.Message) string {
	if m.Subject != "" {
		return ""
	}
	line, _, _ := strings.Cut(m.Text, "\n")
	return line
}
