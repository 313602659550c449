package tmpl

import (
	"bufio"
	"bytes"
	_ "embed"
	"fmt"
	htmltemplate "html/template"
	"sync"
	"time"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

//go:embed layout.html
var layoutSource string

// renderer turns an email's Markdown into the HTML part. It is safe for
// concurrent use.
type renderer struct {
	md      goldmark.Markdown
	layout  *htmltemplate.Template
	timeout time.Duration // for one message (limits.go)
	bufs    sync.Pool     // *htmlBuffers
}

// htmlBuffers are one rendering's buffers, kept for the next: grown from
// nothing for every message, they were a third of what rendering one
// allocated (and so of the collector's work while sending).
type htmlBuffers struct {
	body bytes.Buffer  // goldmark's output
	bw   *bufio.Writer // goldmark writes through it (else it makes one each time)
	out  bytes.Buffer  // the layout's output
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
		goldmark.WithParserOptions(parser.WithASTTransformers(util.Prioritized(inlineStyles{}, 100))),
		// No html.WithUnsafe: raw HTML in a template is dropped, never sent.
		goldmark.WithRendererOptions(html.WithHardWraps()),
	)
	return &renderer{md: md, layout: layout, timeout: renderTimeout}, nil
}

// layoutData is what layout.html is executed with.
type layoutData struct {
	Subject        string
	Body           htmltemplate.HTML // goldmark's output: escaped, no raw HTML
	Rep            Rep
	UnsubscribeURL string
}

// html renders markdown inside the email layout.
func (r *renderer) html(markdown, subject string, d Data) (string, error) {
	b := r.buffers()
	defer r.keep(b)
	if err := r.md.Convert([]byte(markdown), b.bw); err != nil {
		return "", fmt.Errorf("markdown: %w", err)
	}
	err := r.layout.Execute(&b.out, layoutData{
		Subject: subject,
		// Trusted: goldmark escapes all text and drops raw HTML.
		Body:           htmltemplate.HTML(b.body.String()),
		Rep:            d.Rep,
		UnsubscribeURL: d.UnsubscribeURL,
	})
	if err != nil {
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

// inlineStyles puts a style attribute on each element goldmark renders.
// Many mail clients drop <style> blocks, so inline CSS is the only styling
// that reliably arrives.
type inlineStyles struct{}

func (inlineStyles) Transform(doc *ast.Document, _ text.Reader, _ parser.Context) {
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering {
			if style := styleFor(n); style != nil {
				n.SetAttribute(styleAttr, style)
			}
		}
		return ast.WalkContinue, nil
	})
}

// The attribute's name and values, made once: goldmark only reads them.
var (
	styleAttr      = []byte("style")
	paragraphStyle = []byte("margin:0 0 16px 0;")
	headingStyles  = [...][]byte{headingStyle("22px"), headingStyle("19px"), headingStyle("17px")}
	linkStyle      = []byte("color:#1f6f8b;text-decoration:underline;")
	listStyle      = []byte("margin:0 0 16px 0;padding-left:24px;")
	listItemStyle  = []byte("margin:0 0 6px 0;")
	quoteStyle     = []byte("margin:0 0 16px 0;padding:0 0 0 12px;border-left:3px solid #e2dccf;color:#5a5550;")
	breakStyle     = []byte("border:0;border-top:1px solid #ece7df;margin:24px 0;")
	codeStyle      = []byte("font-family:Menlo,Consolas,monospace;font-size:14px;background-color:#f4f1ec;padding:1px 4px;")
	imageStyle     = []byte("max-width:100%;height:auto;border:0;")
)

func headingStyle(size string) []byte {
	return []byte("margin:24px 0 12px 0;font-size:" + size + ";line-height:1.3;color:#2b2b2b;")
}

func styleFor(n ast.Node) []byte {
	switch n := n.(type) {
	case *ast.Paragraph:
		return paragraphStyle
	case *ast.Heading:
		return headingStyles[min(n.Level, 3)-1]
	case *ast.Link, *ast.AutoLink:
		return linkStyle
	case *ast.List:
		return listStyle
	case *ast.ListItem:
		return listItemStyle
	case *ast.Blockquote:
		return quoteStyle
	case *ast.ThematicBreak:
		return breakStyle
	case *ast.CodeSpan:
		return codeStyle
	case *ast.Image:
		return imageStyle
	}
	return nil
}
