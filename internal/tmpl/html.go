package tmpl

import (
	"bufio"
	"bytes"
	_ "embed"
	"fmt"
	htmltemplate "html/template"
	"strings"
	"sync"
	"time"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/renderer/html"
)

//go:embed layout.html
var layoutSource string

// renderer turns an email's Markdown into the HTML part. It is safe for
// concurrent use.
type renderer struct {
	md      goldmark.Markdown
	layout  *htmltemplate.Template // layout.html: "head", "rep" and "tail"
	timeout time.Duration          // for one message (limits.go)
	bufs    sync.Pool              // *htmlBuffers

	mu      sync.Mutex // guards the two below
	rep     Rep        // the rep of repHTML
	repHTML string     // "rep" for rep
}

// htmlBuffers are one rendering's buffers, kept for the next: grown from
// nothing for every message, they were a third of what rendering one
// allocated (and so of the collector's work while sending).
type htmlBuffers struct {
	body bytes.Buffer  // goldmark's output
	bw   *bufio.Writer // goldmark writes through it (else it makes one each time)
	out  bytes.Buffer  // the email's HTML
}

// maxKeptBuffer is the largest buffer kept for the next rendering; an
// unusually large email's buffers go to the collector.
const maxKeptBuffer = 64 << 10

func newRenderer() (*renderer, error) {
	layout, err := htmltemplate.New("layout.html").Parse(layoutSource)
	if err != nil {
		return nil, fmt.Errorf("email layout: %w", err)
	}
	md := goldmark.New(
		// Linkify turns a bare web or email address into a link, as a rep
		// writing a letter expects; hard wraps keep the lines of a sign-off.
		goldmark.WithExtensions(extension.Linkify, extension.Strikethrough),
		// No html.WithUnsafe: raw HTML in a template is dropped, never sent.
		goldmark.WithRendererOptions(html.WithHardWraps()),
	)
	return &renderer{md: md, layout: layout, timeout: renderTimeout}, nil
}

// html renders markdown inside the email layout. The body is trusted as
// it is: goldmark escapes all text and drops raw HTML.
//
// The layout is run in parts around the body, and the rep's part is kept
// for the next email: run whole for every email, with the body put into
// it as a value, the layout cost a sixth of rendering.
func (r *renderer) html(markdown, subject string, d Data) (string, error) {
	b := r.buffers()
	defer r.keep(b)
	if err := r.layout.ExecuteTemplate(&b.out, "head", subject); err != nil {
		return "", fmt.Errorf("email layout: %w", err)
	}
	if err := r.md.Convert([]byte(markdown), b.bw); err != nil {
		return "", fmt.Errorf("markdown: %w", err)
	}
	styleTags(&b.out, b.body.Bytes())
	rep, err := r.repPart(d.Rep)
	if err != nil {
		return "", fmt.Errorf("email layout: %w", err)
	}
	b.out.WriteString(rep)
	if err := r.layout.ExecuteTemplate(&b.out, "tail", d.UnsubscribeURL); err != nil {
		return "", fmt.Errorf("email layout: %w", err)
	}
	return b.out.String(), nil
}

// repPart is the layout's "rep" part for rep.
func (r *renderer) repPart(rep Rep) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.repHTML != "" && r.rep == rep {
		return r.repHTML, nil
	}
	var b strings.Builder
	if err := r.layout.ExecuteTemplate(&b, "rep", rep); err != nil {
		return "", err
	}
	r.rep, r.repHTML = rep, b.String()
	return r.repHTML, nil
}

func (r *renderer) buffers() *htmlBuffers {
	if b, ok := r.bufs.Get().(*htmlBuffers); ok {
		return b
	}
	b := &htmlBuffers{}
	b.bw = bufio.NewWriter(&b.body)
	return b
}

// keep empties b for the next rendering, unless it grew too large to keep.
func (r *renderer) keep(b *htmlBuffers) {
	if b.body.Cap() > maxKeptBuffer || b.out.Cap() > maxKeptBuffer {
		return
	}
	b.bw.Reset(&b.body) // drops what a failed Convert left unflushed
	b.body.Reset()
	b.out.Reset()
	r.bufs.Put(b)
}

// styleTags copies goldmark's HTML from src to dst with a style attribute
// on each element that needs one: many mail clients drop <style> blocks,
// so inline CSS is the only styling that reliably arrives. Goldmark
// escapes every "<" of the text and of attribute values and drops raw
// HTML, so each "<" it writes begins one of its own tags (or the comment
// that stands for dropped HTML); the style goes right after the tag's
// name. (Set on goldmark's syntax tree instead, the styles were a sixth
// of what rendering an email allocated, and a tenth of its time.)
func styleTags(dst *bytes.Buffer, src []byte) {
	var prev []byte // the tag before
	for {
		i := bytes.IndexByte(src, '<')
		if i < 0 {
			dst.Write(src)
			return
		}
		name := tagName(src[i+1:])
		style := tagStyles[string(name)]
		if string(name) == "code" && string(prev) == "pre" && string(src[:i]) == ">" {
			style = "" // a code block's <code>: inline code only is styled
		}
		end := i + 1 + len(name)
		dst.Write(src[:end])
		if style != "" {
			dst.WriteString(` style="`)
			dst.WriteString(style)
			dst.WriteByte('"')
		}
		src, prev = src[end:], name
	}
}

// tagName is the name of the tag that b begins with ("" for a closing
// tag or a comment).
func tagName(b []byte) []byte {
	n := 0
	for n < len(b) && ('a' <= b[n] && b[n] <= 'z' || '0' <= b[n] && b[n] <= '9') {
		n++
	}
	return b[:n]
}

// tagStyles are the inline styles of the elements goldmark writes.
var tagStyles = map[string]string{
	"p":          "margin:0 0 16px 0;",
	"h1":         headingStyle("22px"),
	"h2":         headingStyle("19px"),
	"h3":         headingStyle("17px"),
	"h4":         headingStyle("17px"),
	"h5":         headingStyle("17px"),
	"h6":         headingStyle("17px"),
	"a":          "color:#1f6f8b;text-decoration:underline;",
	"ul":         listStyle,
	"ol":         listStyle,
	"li":         "margin:0 0 6px 0;",
	"blockquote": "margin:0 0 16px 0;padding:0 0 0 12px;border-left:3px solid #e2dccf;color:#5a5550;",
	"hr":         "border:0;border-top:1px solid #ece7df;margin:24px 0;",
	"code":       "font-family:Menlo,Consolas,monospace;font-size:14px;background-color:#f4f1ec;padding:1px 4px;",
	"img":        "max-width:100%;height:auto;border:0;",
}

const listStyle = "margin:0 0 16px 0;padding-left:24px;"

func headingStyle(size string) string {
	return "margin:24px 0 12px 0;font-size:" + size + ";line-height:1.3;color:#2b2b2b;"
}
