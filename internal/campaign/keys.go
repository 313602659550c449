package campaign

import (
	"fmt"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/rapportapp/rapport/internal/suggest"
)

// unknownKeys reports every key the campaign format does not have, at the
// place it is written. Keys below a known key (name = {x = 1}) are left to
// the type check of that key, and keys inside steps are only judged when
// the steps could be read.
func (p *parser) unknownKeys(md *toml.MetaData, stepsOK bool) {
	undecoded := map[string]bool{}
	for _, k := range md.Undecoded() {
		undecoded[k.String()] = true
	}
	step := -1
	reported := map[string]bool{}
	for _, k := range md.Keys() {
		if len(k) == 1 && k[0] == "step" {
			step++ // keys come in file order, so this is the [[step]] they belong to
		}
		if !undecoded[k.String()] {
			continue
		}
		switch {
		case !slices.Contains(campaignKeys, k[0]):
			if !reported[k[0]] {
				reported[k[0]] = true
				p.unknownTop(k[0])
			}
		case k[0] == "step" && len(k) > 1 && stepsOK && step >= 0 && !slices.Contains(stepKeys, k[1]):
			path := fmt.Sprintf("step[%d].%s", step, k[1])
			if !reported[path] {
				reported[path] = true
				p.unknownInStep(step, k[1], path)
			}
		}
	}
}

func (p *parser) unknownTop(key string) {
	at := p.pos(key)
	switch {
	case slices.Contains(stepKeys, key):
		p.addf(at, "unknown key %q at the top of the file: step settings go after a [[step]] line", key)
	case guess(key, campaignKeys) != "":
		p.addf(at, "unknown key %q%s", key, didYouMean(key, campaignKeys))
	default:
		p.addf(at, "unknown key %q: a campaign has name, trigger, pause_on_reply and [[step]] sections", key)
	}
}

func (p *parser) unknownInStep(step int, key, path string) {
	at, label := p.pos(path), ""
	if step < len(p.labels) {
		label = p.labels[step]
	}
	switch {
	case slices.Contains(campaignKeys, key):
		p.addf(at, "%sunknown key %q: it is a campaign setting, so move it above the first [[step]] line", label, key)
	case guess(key, stepKeys) != "":
		p.addf(at, "%sunknown key %q%s", label, key, didYouMean(key, stepKeys))
	default:
		p.addf(at, "%sunknown key %q: a step has %s", label, key, andList(stepKeys))
	}
}

// synonyms are words a rep may reach for instead of the real key.
var synonyms = map[string]string{
	"delay": "after", "wait": "after", "when": "after",
	"time": "at", "hour": "at",
	"repeat": "every", "interval": "every",
	"deadline": "until", "expires": "until", "before": "until",
	"via": "channel", "type": "channel", "medium": "channel",
	"title": "name",
}

// guess returns the known word got was probably meant to be, or "": a
// synonym first ("delay" for after), else a slip of the keyboard.
func guess(got string, known []string) string {
	if s, ok := synonyms[strings.ToLower(got)]; ok && slices.Contains(known, s) {
		return s
	}
	return suggest.Closest(got, known)
}

// andList joins words: id, after and template.
func andList(words []string) string {
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}
