package reply

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// htmlToText renders an HTML mail body as plain text, as a person reading it
// would see it: block elements on their own lines, whitespace collapsed,
// style and script dropped. Blockquotes come out as "> " lines, so Trim
// removes quoted history from HTML-only mail exactly as from plain text,
// and <hr> comes out as the underscore rule Outlook puts above a quote.
func htmlToText(s string) string {
	w := &textWriter{}
	z := html.NewTokenizer(strings.NewReader(s))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return w.b.String() // io.EOF, or input we cannot tokenize further
		case html.TextToken:
			w.text(string(z.Text()))
		case html.StartTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			w.open(atom.Lookup(name))
		case html.EndTagToken:
			name, _ := z.TagName()
			w.close(atom.Lookup(name))
		}
	}
}

const maxQuoteMarks = 4

// textWriter accumulates rendered text. Line breaks are held back until the
// next word so that runs of empty blocks collapse and nothing trails.
type textWriter struct {
	b       strings.Builder
	skip    int  // depth inside elements whose content is not shown
	quote   int  // blockquote depth
	breaks  int  // line breaks owed before the next word
	space   bool // a space owed before the next word
	bullet  bool // a list marker owed before the next word
	started bool // something has been written
}

func (w *textWriter) open(a atom.Atom) {
	switch a {
	case atom.Head, atom.Style, atom.Script, atom.Title, atom.Template, atom.Noscript:
		w.skip++
	case atom.Br:
		w.breaks++
	case atom.Hr:
		w.lineBreak(1)
		w.word("________________________________")
		w.lineBreak(1)
	case atom.Blockquote:
		w.lineBreak(1)
		w.quote++
	case atom.Li:
		w.lineBreak(1)
		w.bullet = true
	case atom.Td, atom.Th:
		w.space = true
	default:
		if isBlock(a) {
			w.lineBreak(1)
		}
	}
}

func (w *textWriter) close(a atom.Atom) {
	switch a {
	case atom.Head, atom.Style, atom.Script, atom.Title, atom.Template, atom.Noscript:
		if w.skip > 0 {
			w.skip--
		}
	case atom.Blockquote:
		w.lineBreak(1)
		if w.quote > 0 {
			w.quote--
		}
	default:
		if isBlock(a) || a == atom.Li {
			w.lineBreak(1)
		}
	}
}

func isBlock(a atom.Atom) bool {
	switch a {
	case atom.P, atom.Div, atom.Tr, atom.Table, atom.Ul, atom.Ol, atom.Pre,
		atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6,
		atom.Address, atom.Article, atom.Section, atom.Header, atom.Footer, atom.Center:
		return true
	}
	return false
}

// lineBreak asks for at least n line breaks before the next word.
func (w *textWriter) lineBreak(n int) {
	w.breaks = max(w.breaks, n)
}

func (w *textWriter) text(s string) {
	if w.skip > 0 {
		return
	}
	if strings.TrimFunc(s, isHTMLSpaceRune) == "" {
		w.space = w.space || s != ""
		return
	}
	if strings.TrimSpace(s) == "" {
		// Only no-break spaces: Outlook's "<p>&nbsp;</p>", a visible blank
		// line. An empty word opens the line without writing on it.
		w.word("")
		return
	}
	s = strings.ReplaceAll(s, "\u00a0", " ")
	w.space = w.space || isHTMLSpace(s[0])
	for _, word := range strings.Fields(s) {
		w.word(word)
		w.space = true
	}
	w.space = isHTMLSpace(s[len(s)-1])
}

// word writes s, preceded by the line breaks and the space it is owed.
// Blank lines inside a blockquote keep their ">" so the quote stays whole.
func (w *textWriter) word(s string) {
	// Nesting depth beyond a few levels adds nothing a reader (or Trim)
	// needs, and unbounded it makes hostile input cost quadratic output.
	prefix := strings.Repeat("> ", min(w.quote, maxQuoteMarks))
	if w.started && w.breaks > 0 {
		if w.breaks > 1 {
			w.b.WriteString("\n" + strings.TrimSpace(prefix))
		}
		w.b.WriteByte('\n')
	}
	if !w.started || w.breaks > 0 {
		w.b.WriteString(prefix)
		w.space = false
	}
	if w.bullet && s != "" {
		w.b.WriteString("- ")
		w.bullet, w.space = false, false
	}
	if w.space {
		w.b.WriteByte(' ')
	}
	w.b.WriteString(s)
	w.breaks, w.space, w.started = 0, false, true
}

func isHTMLSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'
}

func isHTMLSpaceRune(r rune) bool {
	return r < 0x80 && isHTMLSpace(byte(r))
}
