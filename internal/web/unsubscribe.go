package web

import (
	"html/template"
	"net/http"
)

// The same neutral page answers a GET whatever the token: link scanners
// fetch URLs, so a GET changes nothing, and a forged token learns nothing.
var pages = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>body{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#222;line-height:1.5}
form{margin:1.5rem 0 .3rem}button{font-size:1rem;padding:.6rem 1.2rem;border:0;border-radius:.4rem;background:#2d6a4f;color:#fff;cursor:pointer}</style>
</head><body>
<h1>{{.Title}}</h1>
<p>{{.Text}}</p>
{{if .Button}}<form method="post"><input type="hidden" name="stop" value="marketing"><button type="submit">Stop tips and news</button></form>
<p>You will still hear about your orders: how they ship and whether they arrived.</p>
<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">Stop everything</button></form>
<p>No more emails at all, not even about your orders.</p>{{end}}
</body></html>
`))

type page struct {
	Title, Text string
	Button      bool
}

func (s *Server) unsubscribePage(w http.ResponseWriter, r *http.Request) {
	render(w, http.StatusOK, page{
		Title:  "Unsubscribe",
		Text:   "Choose which emails from " + s.rep() + " to stop. Texts, if you get them, can be stopped by replying STOP.",
		Button: true,
	})
}

// unsubscribe is both the RFC 8058 one-click POST from mail clients, which
// stops everything, and the page's two buttons: "stop tips and news" stops
// marketing email only. It answers 200 without a redirect.
func (s *Server) unsubscribe(w http.ResponseWriter, r *http.Request) {
	stop, done := s.Inbox.Unsubscribe, page{Title: "You're unsubscribed", Text: "You won't get any more emails from " + s.rep() + "."}
	if r.PostFormValue("stop") == "marketing" && r.PostFormValue("List-Unsubscribe") == "" {
		stop, done = s.Inbox.StopMarketing, page{Title: "No more tips and news",
			Text: "You won't get tips and news from " + s.rep() + " any more. You will still hear about your orders."}
	}
	uid, ok := s.Tokens.UID(r.PathValue("token"))
	if !ok {
		render(w, http.StatusOK, done) // same answer: nothing to learn from a forged token
		return
	}
	if _, err := stop(r.Context(), uid); err != nil {
		s.Log.Error("unsubscribe failed", "err", err)
		render(w, http.StatusInternalServerError, page{Title: "Sorry", Text: "Something went wrong. Please try again in a minute."})
		return
	}
	render(w, http.StatusOK, done)
}

func (s *Server) rep() string {
	if s.RepName == "" {
		return "us"
	}
	return s.RepName
}

func render(w http.ResponseWriter, code int, p page) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	pages.Execute(w, p)
}
