package reply

import (
	"regexp"
	"strings"
	"unicode"

	"golang.org/x/text/width"
)

// Keyword is an SMS compliance keyword a whole message can be.
type Keyword int

// Keywords, as Twilio's Advanced Opt-Out recognises them.
const (
	None  Keyword = iota
	Stop          // opt out of all texts
	Start         // opt back in
	Help          // send the help text
)

func (k Keyword) String() string {
	switch k {
	case Stop:
		return "STOP"
	case Start:
		return "START"
	case Help:
		return "HELP"
	}
	return "none"
}

// SMSKeyword reports whether a whole text message is a compliance keyword:
// STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, REVOKE, OPTOUT → Stop;
// START, YES, UNSTOP → Start; HELP, INFO → Help. Case, spaces (inside too:
// "Stop all", "opt out") and punctuation or emoji around the word ("Stop."
// "STOP!!") do not matter; any other word does ("stop texting me" is None;
// see LikelyOptOut).
func SMSKeyword(body string) Keyword {
	if len(body) > 64 {
		return None // no keyword is that long, even padded
	}
	switch keywordForm(body) {
	case "STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT":
		return Stop
	case "START", "YES", "UNSTOP":
		return Start
	case "HELP", "INFO":
		return Help
	}
	return None
}

// keywordForm folds a message to the form keywords are compared in:
// full-width letters narrowed (phones in CJK locales send them), all
// whitespace removed, punctuation and symbols trimmed from both ends,
// upper-cased.
func keywordForm(s string) string {
	s = width.Fold.String(s)
	s = strings.Join(strings.Fields(s), "")
	s = strings.TrimFunc(s, func(r rune) bool {
		return unicode.IsPunct(r) || unicode.IsSymbol(r) || unicode.Is(unicode.Mn, r) ||
			unicode.Is(unicode.Cf, r) // zero-width joiners and variation selectors from emoji
	})
	return strings.ToUpper(s)
}

// optOutPhrase matches wording that asks to stop being contacted. It is
// deliberately narrow: a false alarm costs the rep a look, but "stop" alone
// inside a sentence ("the leak won't stop") must not trip it.
var optOutPhrase = regexp.MustCompile(loosen(`(?i)\b(?:` +
	`(?:stop|quit|no more) (?:texting|txting|messaging|msging|sending|emailing|e-mailing|contacting|calling|spamming|bothering)|` +
	`(?:take|remove|delete|drop|get) (?:me|my (?:number|name|email|e-mail|address|details)) (?:off|from|out of)|` +
	`remove me|unsubscribe|unsub|opt (?:me )?out|opt-out|` +
	`(?:don't|do not|never|stop) (?:text|txt|message|msg|contact|email|e-mail|call|bother)(?:ing)? me|` +
	`no more (?:texts|txts|messages|msgs|emails|e-mails)|` +
	`leave me alone|(?:lose|delete) my number|wrong number|` +
	`(?:please|pls|plz) stop|stop (?:please|pls|plz|it|now|this)` +
	`)\b`))

// loosen makes a pattern forgiving the way people type: a space matches any
// run of whitespace, and an apostrophe may be typographic or left out
// ("don’t", "dont").
func loosen(pattern string) string {
	pattern = strings.ReplaceAll(pattern, " ", `\s+`)
	return strings.ReplaceAll(pattern, "'", `['’ʼ]?`)
}

// LikelyOptOut reports text that asks to stop without being a keyword
// ("please stop texting me", "take me off your list", "unsubscribe me",
// "don't text me"), for the rep to confirm: carriers only honour the exact
// keywords automatically, but a person who wrote this should not get
// another text before the rep has read it.
func LikelyOptOut(body string) bool {
	return SMSKeyword(body) != Stop && optOutMatch(body) != ""
}

// optOutMatch returns the words that read as an opt-out request, or "".
// A request to stop comes early; only the head of a long text is read.
func optOutMatch(text string) string {
	return optOutPhrase.FindString(text[:min(len(text), maxScanBytes)])
}

// stopRequest matches wording that clearly asks for no more texts: a stop
// word aimed at texts, messages or the reader ("stop texting me", "no more
// texts", "quit messaging me"), or a common phrase ("don't text me",
// "remove me", "take me off your list", "unsubscribe me"). It is narrower
// than optOutPhrase: what it matches stops texts at once, so "stop" must be
// tied to texting or to the writer, never "stop by the shop".
var stopRequest = regexp.MustCompile(loosen(`(?i)\b(?:` +
	`(?:stop|quit|cease) (?:all |any |the |these |those |your |ur |sending (?:me )?(?:all |any |the |these |those |your )?)?` +
	`(?:texts?|texting|txts?|txting|text messages|messages|messaging|msgs|msging|sms|smss|contacting|contact|spamming|bothering)(?: (?:me|us|this number|my number))?|` +
	`(?:stop|quit) (?:calling|bugging|harassing|pestering) (?:me|us)|` +
	`(?:don't|do not|dont|never|pls don't|please don't) (?:ever )?(?:text|txt|message|msg|sms|contact|bother) (?:me|us|this number|again)|` +
	`no more (?:texts|txts|text messages|messages|msgs|sms)|` +
	`(?:i )?(?:don't|do not) want (?:any )?(?:more )?(?:these |your |the |any )?(?:texts|txts|text messages|messages)|` +
	`(?:take|remove|delete|drop|get) (?:me|my (?:number|name|details|info|phone number)) (?:off|from|out of)|` +
	`(?:remove|delete|lose) (?:me|my number|my phone number)|` +
	`unsubscribe|unsub|opt (?:me )?out|opt-out|optout|leave me alone` +
	`)\b`))

// stopAlone matches a whole message that is "stop" with only politeness
// around it ("please stop", "Stop it now", "stop pls thanks"): no keyword,
// but no other reading either.
var stopAlone = regexp.MustCompile(`^(?:(?:please|pls|plz|ok|okay|just|can you|could you) )*` +
	`(?:stop|quit)(?: (?:it|this|now|already|all|please|pls|plz|thanks|thank you|thx|asap))*$`)

// AsksToStopTexts returns the words of a text that clearly asks for no
// more texts, or "": the keywords (STOP, END, "opt out"...) and a plain-words
// request ("please stop texting me", "no more texts please", "remove me
// from your list"). A revocation made by any reasonable means must be
// honoured, so these stop texts at once; a denial right before the stop
// word ("don't stop", "can't stop texting my friends about it") is no
// request. Wording that may or may not ask (LikelyOptOut) is for the rep.
func AsksToStopTexts(body string) string {
	if SMSKeyword(body) == Stop {
		return strings.TrimSpace(body)
	}
	text := body[:min(len(body), maxScanBytes)]
	if stopAlone.MatchString(plainWords(text)) {
		return strings.TrimSpace(text)
	}
	for _, loc := range stopRequest.FindAllStringIndex(text, -1) {
		if !deniedStop(lowerASCII(text[:loc[0]])) {
			return text[loc[0]:loc[1]]
		}
	}
	return ""
}

// plainWords lower-cases a message and keeps only its words, one space
// apart: "Please, STOP!!" → "please stop".
func plainWords(s string) string {
	f := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsNumber(r) && r != '\''
	})
	return strings.Join(f, " ")
}

// deniedStop reports a request denied in the words just before it ("don't
// stop texting", "can't stop texting my sister about it", "I don't want to
// unsubscribe"), as negated does for problem words.
func deniedStop(before string) bool {
	words := clauseWords(before)
	for _, w := range words[max(0, len(words)-3):] {
		if w = strings.Trim(w, `"'`); isDenial(w) || w == "cannot" {
			return true
		}
	}
	return false
}
