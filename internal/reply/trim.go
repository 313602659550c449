package reply

import (
	"regexp"
	"strings"
)

// Patterns that mark where a reply's own words end. Each is matched against
// one line with surrounding spaces removed.
var (
	// The attribution line above a quote: Gmail, Apple Mail and
	// Thunderbird in the languages reps meet. It may wrap over lines, so it
	// is matched against up to three lines joined.
	attributionStart = regexp.MustCompile(`^(?i:on|le|am|el|op|il|em|den|på|w dniu)\s`)
	attributionEnd   = regexp.MustCompile(`(?i:(?:wrote|a écrit|escribió|ha scritto|escreveu|napisał)\s*|(?:schrieb|schreef|skrev)\b.*):$`)

	// A line after which everything is history or signature.
	boundaryLine = regexp.MustCompile(`^(?:` +
		`-- ?|` + // RFC 3676 signature delimiter
		`_{10,}|` + // Outlook's rule above the quoted header block
		`-{2,} ?(?i:original message|ursprüngliche nachricht|message d'origine|mensaje original|messaggio originale|oorspronkelijk bericht|forwarded message|weitergeleitete nachricht) ?-{2,}|` +
		`(?i:begin forwarded message:)` +
		`)$`)

	// Phone and webmail footers; they end the reply, and whatever follows
	// them is the quote.
	mobileFooter = regexp.MustCompile(`^(?i:sent from my |sent from mail for |sent from outlook|sent from yahoo mail|sent from aol|sent from samsung|sent with (?:proton ?mail|spark|blackberry)|get outlook for |envoyé de mon |enviado desde mi |enviado do meu |inviato da |verzonden vanaf mijn |von meinem .{1,40} gesendet)`)

	// Outlook's quoted header block: "From: ..." then, within a few lines,
	// "Sent: ..." (or Date:). Bold headers come out as "*From:*".
	outlookFrom = regexp.MustCompile(`^\*?(?i:from|von|de|van|da|från|fra)\s?:\*?\s`)
	outlookSent = regexp.MustCompile(`^\*?(?i:sent|date|gesendet|datum|envoyé|enviado|inviato|verzonden|skickat|sendt)\s?:\*?\s`)
)

// Trim returns what the sender of a reply wrote, without the quoted history
// and the signature: it stops at a signature delimiter ("-- "), a phone
// footer ("Sent from my iPhone"), an Outlook "-----Original Message-----" or
// "From: … Sent: …" block, or an "On … wrote:" line that is not followed by
// quoted lines; it drops "> " quoted lines wherever they are, so an answer
// written below or between quoted lines is kept.
//
// Limits: a signature without a delimiter (just a name and phone number)
// stays; a reply that begins with a line starting "From:" followed by
// "Sent:" is mistaken for a quoted header block.
func Trim(text string) string {
	lines := strings.Split(normalize(text), "\n")
	var kept []string
	for i := 0; i < len(lines); i++ {
		line := strings.TrimSpace(lines[i])
		if isQuoted(line) {
			continue
		}
		if n := attributionLines(lines, i); n > 0 {
			if !quoteFollows(lines, i+n) {
				break // top-posted reply: the rest is the quoted message
			}
			i += n - 1 // bottom-posted: drop the attribution, keep going
			continue
		}
		if boundaryLine.MatchString(line) || mobileFooter.MatchString(line) || isOutlookHeader(lines, i) {
			break
		}
		kept = append(kept, strings.TrimRight(lines[i], " \t"))
	}
	return tidy(kept)
}

func isQuoted(line string) bool {
	return strings.HasPrefix(line, ">")
}

// attributionLines returns how many lines (1–3) form an "On … wrote:" line
// starting at i, or 0.
func attributionLines(lines []string, i int) int {
	first := strings.TrimSpace(lines[i])
	if !attributionStart.MatchString(first) {
		return 0
	}
	joined := first
	for n := 1; n <= 3 && i+n <= len(lines); n++ {
		if n > 1 {
			joined += " " + strings.TrimSpace(lines[i+n-1])
		}
		if len(joined) > 400 {
			return 0
		}
		if attributionEnd.MatchString(joined) {
			return n
		}
	}
	return 0
}

// quoteFollows reports whether the next non-blank line from i is quoted.
func quoteFollows(lines []string, i int) bool {
	for ; i < len(lines); i++ {
		if line := strings.TrimSpace(lines[i]); line != "" {
			return isQuoted(line)
		}
	}
	return false
}

// isOutlookHeader reports a "From:" line followed within four lines by a
// "Sent:"/"Date:" line: the header of a message quoted by Outlook.
func isOutlookHeader(lines []string, i int) bool {
	if !outlookFrom.MatchString(strings.TrimSpace(lines[i])) {
		return false
	}
	for j := i + 1; j < len(lines) && j <= i+4; j++ {
		if outlookSent.MatchString(strings.TrimSpace(lines[j])) {
			return true
		}
	}
	return false
}

// tidy joins lines, keeping at most one blank line between paragraphs and
// none at either end.
func tidy(lines []string) string {
	var b strings.Builder
	blank := false
	for _, line := range lines {
		if strings.TrimSpace(line) == "" {
			blank = b.Len() > 0
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
			if blank {
				b.WriteByte('\n')
			}
		}
		b.WriteString(line)
		blank = false
	}
	return b.String()
}
