// Package notify writes what Rapport tells the rep: a forwarded reply and
// the daily digest. It only composes text; the engine queues and sends it.
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

// Digest is the rep's morning summary.
type Digest struct {
	Date    time.Time
	Replies []Reply
	Tasks   []string
	Stale   []string
	Failed  []string
	Lost    []string // opted out, bounced, unsubscribed
	Setup   []string // account or file problems
}

// Empty reports whether there is nothing to tell.
func (d Digest) Empty() bool {
	return len(d.Replies)+len(d.Tasks)+len(d.Stale)+len(d.Failed)+len(d.Lost)+len(d.Setup) == 0
}

// Compose returns the digest's subject and body.
func (d Digest) Compose() (subject, body string) {
	subject = fmt.Sprintf("Rapport — your day, %s", d.Date.Format("Mon 2 Jan"))
	var parts []string
	if len(d.Replies) > 0 {
		parts = append(parts, fmt.Sprintf("%d %s waiting", len(d.Replies), plural(len(d.Replies), "reply", "replies")))
	}
	if len(d.Tasks) > 0 {
		parts = append(parts, fmt.Sprintf("%d %s", len(d.Tasks), plural(len(d.Tasks), "task", "tasks")))
	}
	if len(parts) > 0 {
		subject += ": " + strings.Join(parts, ", ")
	}
	var b strings.Builder
	if len(d.Replies) > 0 {
		b.WriteString("REPLIES WAITING FOR YOU (flagged first)\n\n")
		for _, r := range d.Replies {
			writeDigestReply(&b, r)
		}
	}
	section(&b, "TO DO TODAY", d.Tasks)
	section(&b, "ACCOUNT OR FILE PROBLEMS", d.Setup)
	section(&b, "SKIPPED BECAUSE THEIR MOMENT HAD PASSED", d.Stale)
	section(&b, "COULD NOT BE SENT", d.Failed)
	section(&b, "STOPPED HEARING FROM YOU (opted out, bounced, unsubscribed)", d.Lost)
	b.WriteString("Mark a reply handled with: rapport replies done ID\n")
	return subject, b.String()
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
