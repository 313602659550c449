package tmpl

import (
	"strings"
	"testing"
)

// Every element goldmark writes that mail clients need styled gets its
// inline style, once; a code block keeps its <pre> plain, and text that
// looks like a tag stays escaped text.
func TestInlineStyles(t *testing.T) {
	r, err := newRenderer()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		markdown string
		want     []string // in the HTML part
	}{
		{"Hello", []string{`<p style="` + tagStyles["p"] + `">Hello</p>`}},
		{"# One", []string{`<h1 style="margin:24px 0 12px 0;font-size:22px;`}},
		{"## Two", []string{`<h2 style="margin:24px 0 12px 0;font-size:19px;`}},
		{"### Three", []string{`<h3 style="margin:24px 0 12px 0;font-size:17px;`}},
		{"###### Six", []string{`<h6 style="margin:24px 0 12px 0;font-size:17px;`}},
		{"[shop](https://example.com/shop)", []string{`<a style="` + tagStyles["a"] + `" href="https://example.com/shop">shop</a>`}},
		{"Write to amy@example.com", []string{`<a style="` + tagStyles["a"] + `" href="mailto:amy@example.com">amy@example.com</a>`}},
		{"- one\n- two", []string{`<ul style="` + listStyle + `">`, `<li style="` + tagStyles["li"] + `">one</li>`}},
		{"3. three\n4. four", []string{`<ol style="` + listStyle + `" start="3">`}},
		{"> quoted", []string{`<blockquote style="` + tagStyles["blockquote"] + `">`}},
		{"above\n\n---\n\nbelow", []string{`<hr style="` + tagStyles["hr"] + `">`}},
		{"use `oil`", []string{`<code style="` + tagStyles["code"] + `">oil</code>`}},
		{"```\nplain block\n```", []string{"<pre><code>plain block\n</code></pre>"}},
		{"```go\nx := 1\n```", []string{`<pre><code class="language-go">x := 1`}},
		{"![a bottle](https://example.com/b.png)", []string{`<img style="` + tagStyles["img"] + `" src="https://example.com/b.png" alt="a bottle">`}},
		{`1 < 2 and <p>not a tag</p> &lt;a&gt;`, []string{`1 &lt; 2 and <!-- raw HTML omitted -->not a tag<!-- raw HTML omitted --> &lt;a&gt;`}},
		{"**bold** *em* ~~gone~~  \nnext", []string{"<strong>bold</strong> <em>em</em> <del>gone</del><br>\nnext"}},
	}
	for _, tt := range tests {
		html, err := r.html(tt.markdown, "Subject", SampleData())
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range tt.want {
			if !strings.Contains(html, w) {
				t.Errorf("%q: HTML does not contain\n%s\nin\n%s", tt.markdown, w, body(html))
			}
		}
		if n := strings.Count(body(html), ` style="`); n != strings.Count(body(html), "<")-strings.Count(body(html), "</")-unstyled(body(html)) {
			t.Errorf("%q: %d styles in\n%s", tt.markdown, n, body(html))
		}
	}
}

// body is the part of an email's HTML that goldmark wrote.
func body(html string) string {
	_, after, _ := strings.Cut(html, "line-height:1.6;color:#2b2b2b;text-align:left;\">\n")
	before, _, _ := strings.Cut(after, "\n</td>")
	return before
}

// unstyled counts the tags in html that take no style.
func unstyled(html string) int {
	n := 0
	for _, tag := range []string{"<strong", "<em", "<del", "<br", "<pre", "<!--"} {
		n += strings.Count(html, tag)
	}
	return n + strings.Count(html, "<pre><code")
}
