package dashboard

import (
	"bytes"
	"embed"
	"html/template"
	"net/http"
	"sync"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static/style.css
var styleCSS []byte

//go:embed static/thread.js
var threadJS []byte

// pages are parsed once: each is layout.html plus its own file, which
// defines "title" and "content".
var pages = func() map[string]*template.Template {
	out := map[string]*template.Template{}
	for _, name := range []string{"setup", "login", "message", "conversations", "thread", "replies", "contacts", "contact", "status", "contact-new", "contact-remove",
		"today", "upcoming", "import", "campaigns", "cases", "case"} {
		out[name] = template.Must(template.ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html"))
	}
	return out
}()

// layoutData is what layout.html sees; Page is the page's own data.
type layoutData struct {
	RepName string
	Session *session // nil when signed out: no menu
	Page    any
}

// messagePage is a page with a title, a sentence and perhaps a link.
type messagePage struct {
	Title, Text    string
	Link, LinkText string
}

// buffers are the pages' buffers, used again: a list page is tens of
// kilobytes, and growing a new buffer to it for every request was a
// sixth of what a contacts page allocated.
var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooled is the largest buffer kept for the next page; a rare huge
// page's buffer goes to the collector.
const maxPooled = 256 << 10

// render writes a page. It renders to a buffer first so a template error
// becomes a 500, not half a page.
func (d *Dashboard) render(w http.ResponseWriter, code int, name string, s *session, data any) {
	buf := buffers.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= maxPooled {
			buf.Reset()
			buffers.Put(buf)
		}
	}()
	err := pages[name].ExecuteTemplate(buf, "layout", layoutData{RepName: d.cfg.RepName, Session: s, Page: data})
	if err != nil {
		d.cfg.Log.Error("dashboard: render page", "page", name, "err", err)
		http.Error(w, "Something went wrong; the details are in Rapport's log.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(code)
	w.Write(buf.Bytes())
}

func serveCSS(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Write(styleCSS)
}

// serveThreadJS is the conversation page's refresh, the dashboard's only
// script: a file, so the Content-Security-Policy allows no inline code.
func serveThreadJS(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Write(threadJS)
}
