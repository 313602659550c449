package dashboard

import (
	"net/http"
	"strings"

	"github.com/rapportapp/rapport/internal/campaign"
	"github.com/rapportapp/rapport/internal/engine"
	"github.com/rapportapp/rapport/internal/tmpl"
)

// The loaded campaigns, read-only: each step's timing, channel and
// purpose, its template rendered for the sample customer `rapport check`
// uses, and check's warnings. Editing stays in the files.

type stepView struct {
	ID, Timing, Channel, Purpose, Template string
	Subject, Text, Error                   string
}

type campaignView struct {
	ID, Name, Trigger, File string
	PauseOnReply            bool
	Steps                   []stepView
}

type campaignsPage struct {
	Campaigns []campaignView
	Warnings  []string
	Sample    string // who the sample customer is
}

func (d *Dashboard) routeCampaigns(mux *http.ServeMux) {
	mux.HandleFunc("GET /dashboard/campaigns", d.private(d.campaigns))
}

func (d *Dashboard) campaigns(w http.ResponseWriter, r *http.Request, s *session) error {
	if d.cfg.Content == nil {
		return &statusError{http.StatusServiceUnavailable, "The campaigns are not available here."}
	}
	c := d.cfg.Content()
	sample := c.Sample()
	p := campaignsPage{Sample: strings.TrimSpace(sample.Contact.FirstName + " " + sample.Contact.LastName)}
	for _, cp := range c.Campaigns {
		p.Campaigns = append(p.Campaigns, campaignOf(c, cp, sample))
		p.Warnings = append(p.Warnings, cp.Warnings...)
	}
	if c.Templates != nil {
		_, warnings := c.Templates.Check(sample)
		p.Warnings = append(p.Warnings, warnings...)
	}
	d.render(w, http.StatusOK, "campaigns", s, p)
	return nil
}

func campaignOf(c *engine.Content, cp *campaign.Campaign, sample tmpl.Data) campaignView {
	v := campaignView{ID: cp.ID, Name: cp.Name, Trigger: cp.Trigger, File: cp.File, PauseOnReply: cp.PauseOnReply}
	for i := range cp.Steps {
		st := &cp.Steps[i]
		sv := stepView{ID: st.ID, Timing: timing(st), Channel: st.Channel, Purpose: st.Purpose, Template: st.Template}
		if st.Fallback != "" {
			sv.Channel += ", else " + st.Fallback
		}
		sv.Subject, sv.Text, sv.Error = render(c, st, sample)
		v.Steps = append(v.Steps, sv)
	}
	return v
}

// timing says when a step goes: "8d after, at 10:00, every 30d, until 14d".
func timing(st *campaign.Step) string {
	parts := []string{st.After.String() + " after"}
	if st.At != nil {
		parts = append(parts, "at "+st.At.String())
	}
	if st.Every != nil {
		parts = append(parts, "every "+st.Every.String())
	}
	if st.Until != nil {
		parts = append(parts, "not after "+st.Until.String())
	}
	return strings.Join(parts, ", ")
}

// render is the step's template for the sample customer: the first of a
// series.
func render(c *engine.Content, st *campaign.Step, sample tmpl.Data) (subject, text, problem string) {
	if c.Templates == nil {
		return "", "", "no templates loaded"
	}
	out, err := c.Templates.Render(st.Template, st.Channel, 0, sample)
	if err != nil {
		return "", "", err.Error()
	}
	return out.Subject, out.Text, ""
}
