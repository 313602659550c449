// Package notify writes what Rapport tells the rep: a forwarded reply, a
// summary of many, and the daily digest. It only composes text; the engine queues and sends it.
package notify

import (
	"fmt"
	"strings"
	"time"
)

// Reply is what the rep needs to act on a customer's reply.
type Reply struct {
	ID        int64
	Channel   string // sms | email
	From      string
	Name      string // "" for an unknown sender
	Email     string
	Phone     string
	Order     string // "order 1042 of March 2, 2026: Lavender 15 mL"
	Answers   string // "arrival-check (sms, sent Tue 8 Dec)"
	Subject   string
	Body      string
	Flags     []string
	Deadlines []string
	Received  time.Time
	OptOut    string // "opted out of texts (STOP)" etc.
	// Notes are the rep's own notes on the customer, dated, oldest first
	// ("2026-03-02: prefers texts after 5").
	Notes []string
}

// Forward returns the subject and body of a forwarded reply.
func Forward(r Reply) (subject, body string) {
	who := r.Name
	if who == "" {
		who = r.From + " (from someone not in your customers)"
	}
	subject = "Reply from " + who
	if len(r.Flags) > 0 {
		subject = "⚠ " + strings.Join(r.Flags, ", ") + " — " + subject
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s replied by %s on %s:\n\n", who, r.Channel, r.Received.Format("Mon 2 Jan 15:04 MST"))
	if r.Subject != "" {
		fmt.Fprintf(&b, "Subject: %s\n", r.Subject)
	}
	fmt.Fprintf(&b, "%s\n\n", quote(r.Body))
	writeFacts(&b, r)
	fmt.Fprintf(&b, "\nWhen you have dealt with it: rapport replies done %d\n", r.ID)
	b.WriteString("(Rapport has paused this customer's automatic messages until then.)\n")
	return subject, b.String()
}

func writeFacts(b *strings.Builder, r Reply) {
	line := func(k, v string) {
		if v != "" {
			fmt.Fprintf(b, "%-10s %s\n", k+":", v)
		}
	}
	line("Phone", r.Phone)
	line("Email", r.Email)
	line("Order", r.Order)
	line("Answering", r.Answers)
	line("Status", r.OptOut)
	if len(r.Flags) > 0 {
		line("Flagged", strings.Join(r.Flags, ", "))
	}
	for _, d := range r.Deadlines {
		line("Deadline", d)
	}
	for _, n := range r.Notes {
		line("Your note", strings.ReplaceAll(n, "\n", "\n           "))
	}
}

// SMSForward is the short text version for notify.sms.
func SMSForward(r Reply) string {
	who := r.Name
	if who == "" {
		who = r.From
	}
	s := fmt.Sprintf("Rapport: %s replied", who)
	if len(r.Flags) > 0 {
		s += " [" + strings.Join(r.Flags, ", ") + "]"
	}
	body := strings.Join(strings.Fields(r.Body), " ")
	if len(body) > 100 {
		body = body[:97] + "..."
	}
	return fmt.Sprintf("%s: \"%s\" — rapport replies done %d", s, body, r.ID)
}

func quote(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i, l := range lines {
		lines[i] = "> " + l
	}
	return strings.Join(lines, "\n")
}

// Summary tells the rep of several replies in one message, so that a
// burst of them cannot bury a new problem: the flagged ones come first,
// the rest wait on the dashboard.
type Summary struct {
	New     int     // replies it tells of
	Flagged int     // of those, flagged ones
	Shown   []Reply // the first few, flagged ones first
	Link    string  // the dashboard's replies page
}

// Compose returns the summary's email subject and body.
func (s Summary) Compose() (subject, body string) {
	subject = s.headline()
	if f := s.firstFlagged(); f != nil {
		subject = "⚠ " + subject + ": " + who(*f) + " (" + strings.Join(f.Flags, ", ") + ")"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s. The first of them, flagged ones first:\n\n", s.headline())
	for _, r := range s.Shown {
		writeDigestReply(&b, r)
	}
	if more := s.New - len(s.Shown); more > 0 {
		fmt.Fprintf(&b, "... and %d more.\n\n", more)
	}
	fmt.Fprintf(&b, "See them all and mark them handled: %s\n", s.Link)
	b.WriteString("(or: rapport replies, then rapport replies done ID)\n")
	return subject, b.String()
}

// Text is the summary as a text message for notify.sms.
func (s Summary) Text() string {
	t := "Rapport: " + s.headline()
	if f := s.firstFlagged(); f != nil {
		body := strings.Join(strings.Fields(f.Body), " ")
		if len(body) > 80 {
			body = body[:77] + "..."
		}
		t += fmt.Sprintf(": %s [%s] \"%s\"", who(*f), strings.Join(f.Flags, ", "), body)
	}
	return t + " — " + s.Link
}

func (s Summary) headline() string {
	h := fmt.Sprintf("%d new %s", s.New, plural(s.New, "reply", "replies"))
	if s.Flagged > 0 {
		h += fmt.Sprintf(", %d flagged", s.Flagged)
	}
	return h
}

func (s Summary) firstFlagged() *Reply {
	if len(s.Shown) > 0 && len(s.Shown[0].Flags) > 0 {
		return &s.Shown[0]
	}
	return nil
}

func who(r Reply) string {
	if r.Name != "" {
		return r.Name
	}
	return r.From
}

// Digest is the rep's morning summary.
type Digest struct {
	Date time.Time
	// Replies are the first DigestReplies waiting, flagged ones first
	// (store.Replies' order); Waiting counts them all.
	Replies []Reply
	Waiting int
	// RepliesLink is the dashboard's replies page, where the ones left
	// out are; "" names `rapport replies` instead.
	RepliesLink string
	Tasks       []string
	Stale       []string
	Failed      []string
	Lost        []string // opted out, bounced, unsubscribed
	Setup       []string // account or file problems
	Cases       []string // reminders about open cases
	// Link is the dashboard's Today page ([http] public_url +
	// /dashboard/today), where the rep acts on all of it; "" leaves it out.
	Link string
	Held []string // messages held for the next day by a daily limit
}

// DigestReplies is how many replies a digest shows: after a burst of
// thousands, the first few and a count tell the rep more than a list
// nobody can read (or send).
const DigestReplies = 20

// Empty reports whether there is nothing to tell.
func (d Digest) Empty() bool {
	return len(d.Replies)+len(d.Tasks)+len(d.Cases)+len(d.Stale)+len(d.Failed)+len(d.Lost)+len(d.Setup)+len(d.Held) == 0
}

// Compose returns the digest's subject and body.
func (d Digest) Compose() (subject, body string) {
	subject = fmt.Sprintf("Rapport — your day, %s", d.Date.Format("Mon 2 Jan"))
	var parts []string
	if w := d.waiting(); w > 0 {
		parts = append(parts, fmt.Sprintf("%d %s waiting", w, plural(w, "reply", "replies")))
	}
	if len(d.Tasks) > 0 {
		parts = append(parts, fmt.Sprintf("%d %s", len(d.Tasks), plural(len(d.Tasks), "task", "tasks")))
	}
	if len(parts) > 0 {
		subject += ": " + strings.Join(parts, ", ")
	}
	var b strings.Builder
	if d.Link != "" {
		fmt.Fprintf(&b, "Your day on the dashboard: %s\n\n", d.Link)
	}
	if len(d.Replies) > 0 {
		b.WriteString("REPLIES WAITING FOR YOU (flagged first)\n\n")
		for _, r := range d.Replies {
			writeDigestReply(&b, r)
		}
		d.writeMore(&b)
	}
	section(&b, "TO DO TODAY", d.Tasks)
	section(&b, "CASES TO FOLLOW THROUGH", d.Cases)
	section(&b, "ACCOUNT OR FILE PROBLEMS", d.Setup)
	section(&b, "HELD FOR THE NEXT DAY BY THE DAILY LIMIT", d.Held)
	section(&b, "SKIPPED BECAUSE THEIR MOMENT HAD PASSED", d.Stale)
	section(&b, "COULD NOT BE SENT", d.Failed)
	section(&b, "STOPPED HEARING FROM YOU (opted out, bounced, unsubscribed)", d.Lost)
	b.WriteString("Mark a reply handled with: rapport replies done ID\n")
	return subject, b.String()
}

// waiting is how many replies wait: Waiting, or those listed when it
// was not counted.
func (d Digest) waiting() int { return max(d.Waiting, len(d.Replies)) }

// writeMore says how many waiting replies the digest left out, and where
// they are.
func (d Digest) writeMore(b *strings.Builder) {
	more := d.waiting() - len(d.Replies)
	if more <= 0 {
		return
	}
	where := d.RepliesLink
	if where == "" {
		where = "rapport replies"
	}
	fmt.Fprintf(b, "... and %d more: %s\n\n", more, where)
}

func writeDigestReply(b *strings.Builder, r Reply) {
	who := r.Name
	if who == "" {
		who = r.From
	}
	flags := ""
	if len(r.Flags) > 0 {
		flags = " ⚠ " + strings.Join(r.Flags, ", ")
	}
	fmt.Fprintf(b, "#%d %s (%s, %s)%s\n", r.ID, who, r.Channel, r.Received.Format("Mon 2 Jan 15:04"), flags)
	fmt.Fprintf(b, "%s\n", quote(r.Body))
	for _, d := range r.Deadlines {
		fmt.Fprintf(b, "   deadline: %s\n", d)
	}
	b.WriteString("\n")
}

func section(b *strings.Builder, title string, lines []string) {
	if len(lines) == 0 {
		return
	}
	b.WriteString(title + "\n")
	for _, l := range lines {
		b.WriteString("- " + strings.ReplaceAll(strings.TrimSpace(l), "\n", "\n  ") + "\n")
	}
	b.WriteString("\n")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
