package dashboard

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/rapportapp/rapport/internal/channel"
	"github.com/rapportapp/rapport/internal/engine"
	"github.com/rapportapp/rapport/internal/store"
)

// Talker is what the conversation pages ask the engine: a customer's
// thread, the channels the rep may answer by, and to queue her message.
// *engine.Engine is one.
type Talker interface {
	Thread(ctx context.Context, c *store.Contact) ([]engine.ThreadEntry, error)
	Channels(ctx context.Context, c *store.Contact) (*engine.AnswerChannels, error)
	Answer(ctx context.Context, r engine.AnswerRequest) (*engine.Queued, error)
	CaseUpdate(ctx context.Context, dir string, k *store.Case) (*engine.CaseUpdate, error)
}

// conversationsPerPage is how many threads a page of the home page lists.
const conversationsPerPage = 100

type conversationView struct {
	ContactID int64
	Who       string
	Open      int
	Flags     []flagView
	Deadlines []string
	Last      string
	Snippet   string
}

type conversationsPage struct {
	Threads     []conversationView
	First, Next string // links to the first and the next page; "" when none
}

// conversations is the home page: every customer the rep talks with,
// those with a reply waiting first, flagged ones on top with their reason
// and deadline.
func (d *Dashboard) conversations(w http.ResponseWriter, r *http.Request, s *session) error {
	after, err := conversationCursor(r.URL.Query().Get("after"))
	if err != nil {
		return err
	}
	cs, next, err := d.cfg.Store.ConversationsPage(r.Context(), after, conversationsPerPage)
	if err != nil {
		return fmt.Errorf("list conversations: %w", err)
	}
	var p conversationsPage
	if after != (store.ConversationCursor{}) {
		p.First = "/dashboard/"
	}
	if next != nil {
		p.Next = conversationsLink(next)
	}
	for _, c := range cs {
		v := conversationView{ContactID: c.ContactID, Who: c.Name, Open: c.Open, Deadlines: d.sayDeadlines(c.DeadlineList()),
			Last: d.repTime(c.LastAt), Snippet: snippet(c.LastBody)}
		if v.Who == "" {
			v.Who = strings.TrimSpace(c.Email + " " + c.Phone)
		}
		for _, f := range c.FlagList() {
			v.Flags = append(v.Flags, flagView{Text: strings.ReplaceAll(f, "_", " "), Problem: problemFlags[f]})
		}
		p.Threads = append(p.Threads, v)
	}
	d.render(w, http.StatusOK, "conversations", s, p)
	return nil
}

// snippet is the start of a message, on one line.
func snippet(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 120 {
		return string(r[:117]) + "..."
	}
	return s
}

type entryView struct {
	engine.ThreadEntry
	When     string
	Who      string
	Channel  string
	Flags    []flagView // shadows ThreadEntry.Flags: the "message" template reads these
	OpenCase *openCaseForm
}

type channelOption struct {
	Value, Label, Refused string
	Selected              bool
}

type threadPage struct {
	ContactID int64
	Name      string
	Zone      string
	Entries   []entryView
	Open      int // replies waiting
	Channels  []channelOption
	CanSend   bool
	Why       string // why nothing can be sent
	Seq       int
	Stamp     string // what the thread shows, in short: the page reloads when it changes
	CSRF      string
	Sent      string // confirmation after sending
	Error     string
	Text      string // the rep's words, kept when they could not be sent
}

// thread is one customer's conversation with the reply form.
func (d *Dashboard) thread(w http.ResponseWriter, r *http.Request, s *session) error {
	c, err := d.talkContact(r)
	if err != nil {
		return err
	}
	p, err := d.threadPage(r.Context(), c, s)
	if err != nil {
		return err
	}
	p.Sent = sentText(r.URL.Query(), p.Entries)
	d.render(w, http.StatusOK, "thread", s, p)
	return nil
}

// talkContact is the customer of a conversation's path: conversations
// need the engine, which only the running daemon gives.
func (d *Dashboard) talkContact(r *http.Request) (*store.Contact, error) {
	if d.cfg.Talk == nil {
		return nil, &statusError{http.StatusNotFound, "Conversations need the running daemon."}
	}
	return d.pathContact(r)
}

func (d *Dashboard) threadPage(ctx context.Context, c *store.Contact, s *session) (*threadPage, error) {
	loc := d.zone(c)
	p := &threadPage{ContactID: c.ID, Name: c.Label(), Zone: loc.String(), CSRF: s.CSRF}
	entries, err := d.cfg.Talk.Thread(ctx, c)
	if err != nil {
		return nil, err
	}
	p.Stamp = threadStamp(entries)
	for _, t := range entries {
		v := entryView{ThreadEntry: t, When: t.At.In(loc).Format(timeFormat), Channel: channelName(t.Channel),
			Who: map[string]string{engine.FromRapport: "Rapport", engine.FromRep: "You", engine.FromCustomer: c.Label()}[t.From]}
		v.Flags = flagViews(t.Flags)
		v.OpenCase = openCase(t.ReplyID, c.ID, t.Flags, s.CSRF)
		if t.State == "open" {
			p.Open++
		}
		p.Entries = append(p.Entries, v)
	}
	if err := d.replyForm(ctx, c, p); err != nil {
		return nil, err
	}
	return p, nil
}

// threadStamp answers the conversation page's script with the thread's
// stamp, as text.
func (d *Dashboard) threadStamp(w http.ResponseWriter, r *http.Request, _ *session) error {
	c, err := d.talkContact(r)
	if err != nil {
		return err
	}
	entries, err := d.cfg.Talk.Thread(r.Context(), c)
	if err != nil {
		return fmt.Errorf("thread of %s: %w", c.Label(), err)
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprint(w, threadStamp(entries))
	return nil
}

// threadStamp sums up what a thread shows (not the deadlines, said as
// seen now: they would reload the page for nothing). It is worked out
// from the thread itself, so whatever changes the page changes it.
func threadStamp(entries []engine.ThreadEntry) string {
	h := fnv.New64a()
	for _, e := range entries {
		fmt.Fprintf(h, "%d\x00%s\x00%s\x00%s\x00%s\x00%s\x00%s\x00%s\x00%d\x00%q\x01",
			e.At.Unix(), e.Direction, e.Channel, e.From, e.Subject, e.Body, e.State, e.Note, e.ReplyID, e.Flags)
	}
	return fmt.Sprintf("%d-%016x", len(entries), h.Sum64())
}

// replyForm fills in the form's channels (the one the customer last used
// chosen, those that cannot carry a message with why) and its number.
func (d *Dashboard) replyForm(ctx context.Context, c *store.Contact, p *threadPage) error {
	chs, err := d.cfg.Talk.Channels(ctx, c)
	if err != nil {
		return err
	}
	var whys []string
	for _, ch := range []string{channel.SMS, channel.Email} {
		o := channelOption{Value: ch, Label: channelName(ch), Refused: chs.Refused[ch], Selected: ch == chs.Default}
		if o.Refused == "" {
			p.CanSend = true
		} else {
			whys = append(whys, o.Refused)
		}
		p.Channels = append(p.Channels, o)
	}
	if !p.CanSend {
		p.Why = strings.Join(whys, "; ")
	}
	if p.Seq, err = d.cfg.Store.NextAnswerSeq(ctx, c.ID); err != nil {
		return fmt.Errorf("number of the next message to %s: %w", c.Label(), err)
	}
	return nil
}

// sentText confirms, after the redirect, the message just queued.
func sentText(q url.Values, entries []entryView) string {
	if q.Get("sent") == "" {
		return ""
	}
	for i := len(entries) - 1; i >= 0; i-- {
		e := entries[i]
		if e.From != engine.FromRep {
			continue
		}
		if e.State == store.Pending && e.Note != "" {
			return "Queued: your " + e.Channel + " " + e.Note + "."
		}
		return "Sent: your " + e.Channel + " goes out now."
	}
	return ""
}

// answer queues the rep's message (POST-redirect-GET); a second click
// sends the same form number and adds nothing. A message that cannot go
// shows the thread again with why, and the words kept.
func (d *Dashboard) answer(w http.ResponseWriter, r *http.Request, s *session) error {
	c, err := d.talkContact(r)
	if err != nil {
		return err
	}
	seq, _ := strconv.Atoi(r.PostFormValue("seq"))
	req := engine.AnswerRequest{Contact: c, Text: r.PostFormValue("text"), Channel: r.PostFormValue("channel"),
		KeepOpen: r.PostFormValue("handled") != "1", Seq: max(seq, 1)}
	q, err := d.cfg.Talk.Answer(r.Context(), req)
	var refused *engine.Refused
	switch {
	case errors.As(err, &refused):
		return d.answerAgain(w, r, s, c, http.StatusUnprocessableEntity, refused.Error(), req.Text)
	case errors.Is(err, store.ErrThreadMoved):
		return d.answerAgain(w, r, s, c, http.StatusConflict,
			"Not sent: another message went to "+c.Label()+" since this page was opened. Read the thread again, then send.", req.Text)
	case err != nil:
		return err
	}
	d.cfg.Log.Info("rep's message queued from the dashboard", "contact", c.ID, "message", q.ID, "duplicate", q.Duplicate)
	http.Redirect(w, r, fmt.Sprintf("/dashboard/conversations/%d?sent=%d#reply", c.ID, q.ID), http.StatusSeeOther)
	return nil
}

func (d *Dashboard) answerAgain(w http.ResponseWriter, r *http.Request, s *session, c *store.Contact, code int, msg, text string) error {
	p, err := d.threadPage(r.Context(), c, s)
	if err != nil {
		return err
	}
	p.Error, p.Text = msg, text
	d.render(w, code, "thread", s, p)
	return nil
}
