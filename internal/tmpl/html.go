package tmpl

import (
	"bytes"
	_ "embed"
	"fmt"
	htmltemplate "html/template"
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
}

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
	var body bytes.Buffer
	if err := r.md.Convert([]byte(markdown), &body); err != nil {
		return "", fmt.Errorf("markdown: %w", err)
	}
	var out bytes.Buffer
	err := r.layout.Execute(&out, layoutData{
		Subject: subject,
		// Trusted: goldmark escapes all text and drops raw HTML.
		Body:           htmltemplate.HTML(body.String()),
		Rep:            d.Rep,
		UnsubscribeURL: d.UnsubscribeURL,
	})
	if err != nil {
		return "", fmt.Errorf("email layout: %w", err)
	}
	return out.String(), nil
}

// inlineStyles puts a style attribute on each element goldmark renders.
// Many mail clients drop <style> blocks, so inline CSS is the only styling
// that reliably arrives.
type inlineStyles struct{}

func (inlineStyles) Transform(doc *ast.Document, _ text.Reader, _ parser.Context) {
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering {
			if style := styleFor(n); style != "" {
				n.SetAttributeString("style", []byte(style))
			}
		}
		return ast.WalkContinue, nil
	})
}

func styleFor(n ast.Node) string {
	switch n := n.(type) {
	case *ast.Paragraph:
		return "margin:0 0 16px 0;"
	case *ast.Heading:
		size := "17px"
		switch n.Level {
		case 1:
			size = "22px"
		case 2:
			size = "19px"
		}
		return "margin:24px 0 12px 0;font-size:" + size + ";line-height:1.3;color:#2b2b2b;"
	case *ast.Link, *ast.AutoLink:
		return "color:#1f6f8b;text-decoration:underline;"
	case *ast.List:
		return "margin:0 0 16px 0;padding-left:24px;"
	case *ast.ListItem:
		return "margin:0 0 6px 0;"
	case *ast.Blockquote:
		return "margin:0 0 16px 0;padding:0 0 0 12px;border-left:3px solid #e2dccf;color:#5a5550;"
	case *ast.ThematicBreak:
		return "border:0;border-top:1px solid #ece7df;margin:24px 0;"
	case *ast.CodeSpan:
		return "font-family:Menlo,Consolas,monospace;font-size:14px;background-color:#f4f1ec;padding:1px 4px;"
	case *ast.Image:
		return "max-width:100%;height:auto;border:0;"
	}
	return ""
}
