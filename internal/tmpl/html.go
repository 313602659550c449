package tmpl

import (
	"bufio"
	"bytes"
	_ "embed"
	"errors"
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
	md         goldmark.Markdown
	head, foot *htmltemplate.Template // layout.html, before and after the body
	timeout    time.Duration          // for one message (limits.go)
	bufs       sync.Pool              // *htmlBuffers
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

// bodyAction is where layout.html puts the body.
const bodyAction = "{{.Body}}"

func newRenderer() (*renderer, error) {
	// The layout is run in two halves with the body between them: put
	// into the layout as a value, every body was copied twice more.
	headSource, footSource, ok := strings.Cut(layoutSource, bodyAction)
	if !ok {
		return nil, errors.New("email layout: no " + bodyAction)
	}
	head, err := htmltemplate.New("layout.html").Parse(headSource)
	if err != nil {
		return nil, fmt.Errorf("email layout: %w", err)
	}
	foot, err := htmltemplate.New("layout.html").Parse(footSource)
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
	return &renderer{md: md, head: head, foot: foot, timeout: renderTimeout}, nil
}

// layoutData is what layout.html is executed with.
type layoutData struct {
	Subject        string
	Rep            Rep
	UnsubscribeURL string
}

// html renders markdown inside the email layout. The body is trusted as
// it is: goldmark escapes all text and drops raw HTML.
func (r *renderer) html(markdown, subject string, d Data) (string, error) {
	b := r.buffers()
	defer r.keep(b)
	data := layoutData{Subject: subject, Rep: d.Rep, UnsubscribeURL: d.UnsubscribeURL}
	if err := r.head.Execute(&b.out, data); err != nil {
		return "", fmt.Errorf("email layout: %w", err)
	}
	if err := r.md.Convert([]byte(markdown), b.bw); err != nil {
		return "", fmt.Errorf("markdown: %w", err)
	}
	styleTags(&b.out, b.body.Bytes())
	if err := r.foot.Execute(&b.out, data); err != nil {
		return "", fmt.Errorf("email layout: %w", err)
	}
	return b.out.String(), nil
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
