package reply

import (
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// Flag kinds. The first five start a policy deadline (report damage within
// 7 business days...); return, refund and cancel mean the rep must act
// before the customer's guarantee runs out.
const (
	Damaged     = "damaged"
	Leaking     = "leaking"
	Broken      = "broken"
	WrongItem   = "wrong_item"
	MissingItem = "missing_item"
	Return      = "return"
	Refund      = "refund"
	Cancel      = "cancel"
	OptOut      = "opt_out"
	Custom      = "custom" // one of the rep's own words
)

// Flag is one problem a reply mentions.
type Flag struct {
	Kind  string
	Match string // the words that triggered it, as the customer wrote them
}

// builtinRules are the problem words, as regular-expression alternations
// matched case-insensitively on word boundaries. They are lower-case ASCII. Inflections are spelled
// out rather than stemmed so "break" (as in "a break") and "dent" (in
// "accident") stay out.
var builtinRules = []struct {
	kind, pattern string
	negatable     bool // "nothing was broken" is no problem; "no refund yet" is one
}{
	{Damaged, `damag(?:e|ed|es|ing)|dent(?:ed|s)?|crush(?:ed)?|squashed|dinged|` +
		`(?:box|parcel|package) (?:was |is |arrived |came )?(?:torn|ripped|open|wet|soaked)`, true},
	{Leaking, `leak(?:s|ed|ing|y|age)?|spill(?:s|ed|t|ing)?|seep(?:s|ed|ing)?|ooz(?:e|es|ed|ing)|dripping`, true},
	{Broken, `broke|broken|smash(?:ed)?|crack(?:s|ed)?|shatter(?:s|ed)?|snapped|faulty|defective|` +
		`(?:doesn't|does not|didn't|did not|won't|will not|isn't|stopped) work(?:s|ing)?`, true},
	{WrongItem, `wrong (?:item|items|scent|scents|product|products|one|oil|oils|colou?r|size|thing|order|bottle|flavou?r|kit)|` +
		`not what i (?:ordered|asked for)|(?:sent|got|received|shipped) (?:me )?(?:the )?wrong|` +
		`(?:didn't|did not|never) order(?:ed)? (?:this|these|that|it|them)`, false},
	{MissingItem, `missing|never (?:arrived|came|showed up|turned up|got here|received|delivered)|` +
		`(?:hasn't|has not|haven't|have not|didn't|did not|still not|not yet) (?:arrived|arrive|come|received|receive|been delivered|shown up|showed up|turned up)|` +
		`(?:wasn't|was not|weren't|were not|not) (?:in|inside) the (?:box|package|parcel|order)|` +
		`lost in the (?:mail|post)|where(?: is|'s) my (?:order|package|parcel)`, true},
	{Return, `return(?:s|ed|ing)?|(?:send|ship|mail) (?:it|them|this|these|that|everything) back`, false},
	{Refund, `refund(?:s|ed|ing)?|money back|reimburse(?:d|ment)?|charge ?back`, false},
	{Cancel, `cancel(?:s|led|ed|ling|ing|lation|ations)?`, false},
}

// maxScanBytes bounds the text Scan reads: a trimmed reply fits many times
// over, and Go's regexp engine needs a few milliseconds per kilobyte for
// rules like these.
const maxScanBytes = 16 << 10

// Flagger finds problems in reply text. Build it once with NewFlagger; it is
// safe for concurrent use.
type Flagger struct {
	rules []flagRule
}

type flagRule struct {
	kind      string
	re        *regexp.Regexp
	negatable bool
}

// NewFlagger returns a Flagger for the built-in problem words plus the rep's
// extra words or phrases (flagged as Custom; "rash", "allergic reaction").
// Extra words match whole words, case-insensitively, with a plural or -ed /
// -ing ending.
func NewFlagger(extraWords []string) *Flagger {
	f := &Flagger{}
	for _, r := range builtinRules {
		f.rules = append(f.rules, flagRule{kind: r.kind, re: wordPattern(r.pattern, false), negatable: r.negatable})
	}
	for _, w := range extraWords {
		words := strings.Fields(strings.ToLower(w))
		if len(words) == 0 {
			continue
		}
		for i := range words {
			words[i] = regexp.QuoteMeta(words[i])
		}
		pattern := strings.Join(words, " ") + `(?:s|es|d|ed|ing)?`
		f.rules = append(f.rules, flagRule{kind: Custom, re: wordPattern(pattern, !isASCII(pattern))})
	}
	return f
}

// wordPattern compiles a lower-case alternation to match only whole words.
// Go's \b knows only ASCII, so the boundary is spelled out to cover
// "défectueux". Spaces and apostrophes are loosened (see loosen). Text is
// matched after ASCII lower-casing (see Scan), so only patterns with other
// letters need the slower case-folding match.
func wordPattern(alternation string, fold bool) *regexp.Regexp {
	flags := ""
	if fold {
		flags = "(?i)"
	}
	return regexp.MustCompile(flags + `(?:^|[^\p{L}\p{N}_])(` + loosen(alternation) + `)(?:[^\p{L}\p{N}_]|$)`)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// lowerASCII lower-cases ASCII letters only, which keeps every byte offset
// valid in the original text, so matches can be reported as written.
func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// Scan returns the problems text mentions, in the order they first appear:
// one flag per kind (the first mention that is not negated) and one per
// matching extra word. Give it Mail.Text, the customer's own words; only
// the first 16 KiB are read.
//
// Limits: negation is a heuristic — "no leaks", "nothing was broken" and
// "wasn't damaged" are not flagged, but "not only is it leaking" is missed
// too. Words with several senses ("return the favour", "I'm broke") are
// flagged; a rep reading a false alarm costs less than a missed complaint.
func (f *Flagger) Scan(text string) []Flag {
	if len(text) > maxScanBytes {
		text = strings.ToValidUTF8(text[:maxScanBytes], "")
	}
	lower := lowerASCII(text)
	type found struct {
		Flag
		at int
	}
	var out []found
	for _, r := range f.rules {
		if start, end := r.first(lower); start >= 0 {
			out = append(out, found{Flag{Kind: r.kind, Match: text[start:end]}, start})
		}
	}
	if m := optOutMatch(text); m != "" || SMSKeyword(text) == Stop {
		if m == "" {
			m = strings.TrimSpace(text)
		}
		out = append(out, found{Flag{Kind: OptOut, Match: m}, strings.Index(text, m)})
	}
	slices.SortStableFunc(out, func(a, b found) int { return a.at - b.at })
	flags := make([]Flag, 0, len(out))
	for _, o := range out {
		flags = append(flags, o.Flag)
	}
	return flags
}

// first returns the span of the rule's first match that is not negated, or
// -1, -1.
func (r flagRule) first(text string) (start, end int) {
	for _, loc := range r.re.FindAllStringSubmatchIndex(text, -1) {
		if r.negatable && negated(text[:loc[2]]) {
			continue
		}
		return loc[2], loc[3]
	}
	return -1, -1
}

// negated reports whether the clause before a match denies it: "nothing
// was broken", "it wasn't damaged", "arrived without damage" (a denial up
// to three words back), or "no leaks" ("no" right before the match). "No"
// further back is usually an answer — "No, it's broken" — not a denial. A
// clause ends at punctuation or "but".
func negated(before string) bool {
	words := clauseWords(before)
	n := len(words)
	for i := max(0, n-3); i < n; i++ {
		switch w := words[i]; {
		case w == "no" || w == "zero":
			if i == n-1 {
				return true
			}
		case isDenial(w):
			return true
		}
	}
	return false
}

// isDenial reports words that deny what follows them, including the
// apostrophe-less spellings texts are full of.
func isDenial(w string) bool {
	switch w {
	case "not", "nothing", "none", "never", "without", "nor", "neither",
		"isnt", "wasnt", "werent", "arent", "didnt", "doesnt", "dont",
		"hasnt", "havent", "hadnt", "wont", "cant", "couldnt":
		return true
	}
	return strings.HasSuffix(w, "n't")
}

// clauseWords returns the words of the last clause of s (lower-cased
// already). Only
// the tail of s is looked at, so scanning a long text stays linear.
func clauseWords(s string) []string {
	s = s[max(0, len(s)-80):]
	if i := strings.LastIndexAny(s, ".!?;,:()\n"); i >= 0 {
		s = s[i+1:]
	}
	s = strings.NewReplacer("’", "'", "ʼ", "'").Replace(s)
	words := strings.Fields(s)
	for i := len(words) - 1; i >= 0; i-- {
		if words[i] == "but" {
			return words[i+1:]
		}
	}
	return words
}
