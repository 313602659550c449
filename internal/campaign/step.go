package campaign

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/rapportapp/rapport/internal/channel"
	"github.com/rapportapp/rapport/internal/schedule"
)

// steps reads the [[step]] tables into c and reports whether they could be
// read as tables at all.
func (p *parser) steps(c *Campaign, md *toml.MetaData, prim toml.Primitive) bool {
	if !md.IsDefined("step") {
		p.addf(p.pos(""), "no steps: add at least one [[step]] section with id, after, channel and template")
		return false
	}
	var raws []rawStep
	if err := md.PrimitiveDecode(prim, &raws); err != nil {
		p.addf(p.pos("step"), "steps must be written as [[step]] sections, each starting with a [[step]] line (double brackets)")
		return false
	}
	if len(raws) == 0 {
		p.addf(p.pos("step"), "no steps: add at least one [[step]] section with id, after, channel and template")
	}
	firstUse := map[string]Pos{}
	for i := range raws {
		st := p.step(i, &raws[i])
		if st.ID != "" {
			if first, dup := firstUse[st.ID]; dup {
				p.addf(p.pos(fmt.Sprintf("step[%d].id", i)), "step id %q is already used by the step at line %d: give each step its own id", st.ID, first.Line)
			} else {
				firstUse[st.ID] = st.Pos
			}
		}
		c.Steps = append(c.Steps, st)
	}
	return true
}

// step reads and checks the i-th [[step]].
func (p *parser) step(i int, r *rawStep) Step {
	path := fmt.Sprintf("step[%d]", i)
	sec := section{p: p, path: path, label: fmt.Sprintf("step %d: ", i+1)}
	st := Step{Pos: p.pos(path)}
	if id, ok := sec.text(r.ID, "id", `id = "arrival-check"`, true); ok {
		if idPattern.MatchString(id) {
			st.ID = id
			sec.label = fmt.Sprintf("step %q: ", id)
		} else {
			p.addf(sec.keyPos("id"), "%sid %q may only use lowercase letters, digits and dashes, like id = \"arrival-check\"", sec.label, id)
		}
	}
	p.labels = append(p.labels, sec.label)

	after := sec.delay(r.After, "after", `after = "5d"`, true)
	if after != nil {
		st.After = *after
	}
	st.Until = sec.delay(r.Until, "until", `until = "7d"`, false)
	st.Every = sec.delay(r.Every, "every", `every = "1mo"`, false)
	st.At = sec.timeOfDay(r.At)
	st.Channel = sec.channel(r.Channel, "channel", true, channel.Email, channel.SMS, channel.Task)
	st.Fallback = sec.channel(r.Fallback, "fallback", false, channel.Email, channel.SMS)
	if tmpl, ok := sec.text(r.Template, "template", `template = "arrival-check"`, true); ok {
		st.Template = sec.template(tmpl)
	}
	st.Purpose = sec.purpose(r.Purpose, st.Channel)
	sec.checkTimes(&st, after != nil)
	sec.checkFallback(&st)
	return st
}

// section reads the values of one table: the top of the file or a [[step]].
type section struct {
	p     *parser
	path  string // "" for the top, "step[2]" for the third step
	label string // what messages start with: "" or `step "arrival-check": `
}

func (s section) keyPos(key string) Pos { return s.p.pos(join(s.path, key)) }

// text returns v, the value of key, as text. A missing value is a problem
// when required, and then so is an empty one.
func (s section) text(v any, key, example string, required bool) (string, bool) {
	if v == nil {
		if required {
			s.p.addf(s.p.pos(s.path), "%smissing %q: add a line like %s", s.label, key, example)
		}
		return "", false
	}
	str, ok := v.(string)
	if !ok {
		s.p.addf(s.keyPos(key), "%s%s must be text in double quotes, like %s (found %s)", s.label, key, example, describe(v))
		return "", false
	}
	if required && strings.TrimSpace(str) == "" {
		s.p.addf(s.keyPos(key), "%s%s is empty: write it like %s", s.label, key, example)
		return "", false
	}
	return str, true
}

// delay returns the value of key as a delay, or nil if it is missing or bad.
func (s section) delay(v any, key, example string, required bool) *schedule.Delay {
	text, ok := s.text(v, key, example, required)
	if !ok {
		return nil
	}
	d, err := schedule.ParseDelay(text)
	if err != nil {
		s.p.addErr(s.keyPos(key), s.label+key+": ", err)
		return nil
	}
	return &d
}

func (s section) timeOfDay(v any) *schedule.TimeOfDay {
	text, ok := s.text(v, "at", `at = "10:00"`, false)
	if !ok {
		return nil
	}
	tod, err := schedule.ParseTimeOfDay(text)
	if err != nil {
		s.p.addErr(s.keyPos("at"), s.label+"at: ", err)
		return nil
	}
	return &tod
}

// channel returns the value of key if it is one of allowed, else "".
func (s section) channel(v any, key string, required bool, allowed ...string) string {
	name, ok := s.text(v, key, key+` = "email"`, required)
	if !ok {
		return ""
	}
	for _, a := range allowed {
		if name == a {
			return name
		}
	}
	s.p.addf(s.keyPos(key), "%s%s %q must be %s%s", s.label, key, name, orList(allowed), didYouMean(name, allowed))
	return ""
}

// template checks that a template is named the way the templates folder
// names it: no folder, no file ending.
func (s section) template(name string) string {
	if strings.ContainsAny(name, `/\`) || strings.HasSuffix(name, ".md") || strings.HasSuffix(name, ".txt") {
		s.p.addf(s.keyPos("template"), "%stemplate %q should be just the template's name, without folder or ending: for templates/arrival-check.sms.txt write template = \"arrival-check\"", s.label, name)
		return ""
	}
	return name
}

// purpose reads purpose, "marketing" when missing: files written before
// steps had one keep loading, and the rep is told what was assumed. A task
// is for the rep, so it needs no purpose and gets no warning.
func (s section) purpose(v any, ch string) string {
	if v == nil {
		if ch != channel.Task {
			s.p.warnings = append(s.p.warnings, fmt.Sprintf("%s: %sno purpose: treated as purpose = %q, so it goes only to customers who have not declined tips and news by email, and as a text only with consent recorded in writing; if it is part of serving the order (how it ships, did it arrive), write purpose = %q",
				s.p.pos(s.path), s.label, PurposeMarketing, PurposeService))
		}
		return PurposeMarketing
	}
	allowed := []string{PurposeService, PurposeMarketing}
	name, ok := s.text(v, "purpose", `purpose = "service"`, false)
	if !ok {
		return PurposeMarketing
	}
	if !slices.Contains(allowed, name) {
		s.p.addf(s.keyPos("purpose"), "%spurpose %q must be %s%s", s.label, name, orList(allowed), didYouMean(name, allowed))
	}
	return name
}

// checkTimes checks every and until once they have been read.
func (s section) checkTimes(st *Step, afterOK bool) {
	if st.Every != nil && st.Every.IsZero() {
		s.p.addf(s.keyPos("every"), "%severy %q must be more than zero, like every = \"1mo\"", s.label, st.Every)
	}
	if st.Until != nil && afterOK && !untilLater(st.After, *st.Until, st.At) {
		s.p.addf(s.keyPos("until"), "%suntil %q must come later than after %q: until is the latest the step may still go out", s.label, st.Until, st.After)
	}
}

func (s section) checkFallback(st *Step) {
	switch {
	case st.Fallback == "":
	case st.Channel == channel.Task:
		s.p.addf(s.keyPos("fallback"), "%sa task step has no fallback (tasks go to your daily digest): remove the fallback line", s.label)
	case st.Fallback == st.Channel:
		s.p.addf(s.keyPos("fallback"), "%sfallback %q is the step's own channel: use the other one, or remove the fallback line", s.label, st.Fallback)
	}
}

// untilLater reports whether until comes after after for orders placed on
// any day of a span that holds every weekday and every length of month
// (Dec 2027 to Mar 2028, with a leap February), so that mixed units such
// as "7d" and "5bd", or "30d" and "1mo", are judged on their worst day.
func untilLater(after, until schedule.Delay, at *schedule.TimeOfDay) bool {
	if after.Unit == until.Unit {
		return until.N > after.N
	}
	tod := schedule.TimeOfDay{Hour: 10}
	if at != nil {
		tod = *at
	}
	var none schedule.Calendar
	d := schedule.Date{Year: 2027, Month: time.December, Day: 1}
	for range 122 {
		tr := schedule.Trigger{At: time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC), DateOnly: true}
		due := schedule.Occurrence(tr, after, nil, 0, tod, time.UTC, none)
		if !schedule.Occurrence(tr, until, nil, 0, tod, time.UTC, none).After(due) {
			return false
		}
		d = d.AddDays(1)
	}
	return true
}

// orList quotes and joins words: "email", "sms" or "task".
func orList(words []string) string {
	quoted := make([]string, len(words))
	for i, w := range words {
		quoted[i] = fmt.Sprintf("%q", w)
	}
	if len(quoted) == 1 {
		return quoted[0]
	}
	return strings.Join(quoted[:len(quoted)-1], ", ") + " or " + quoted[len(quoted)-1]
}
