package reply

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emersion/go-message"
)

func TestHTMLToText(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"paragraphs", "<p>Hi Amy,</p><p>It came.</p>", "Hi Amy,\nIt came."},
		{"br and gmail blank div", "<div>Hi<br></div><div><br></div><div>Jane</div>", "Hi\n\nJane"},
		{"outlook nbsp paragraph", "<p>Hi</p><p>&nbsp;</p><p>Bob</p>", "Hi\n\nBob"},
		{"whitespace collapses", "<p>  It   arrived\n  today  </p>", "It arrived today"},
		{"inline tags join words", "Hel<b>lo</b> <i>there</i>", "Hello there"},
		{"entities", "<p>Tom &amp; Jerry&#39;s &lt;oils&gt;</p>", "Tom & Jerry's <oils>"},
		{"style, script and head dropped", "<head><title>x</title><style>p{}</style></head><body><script>1</script>Hi</body>", "Hi"},
		{"blockquote", "Yes<blockquote>Did it arrive?<br>Amy</blockquote>", "Yes\n> Did it arrive?\n> Amy"},
		{"nested blockquote", "A<blockquote>B<blockquote>C</blockquote>D</blockquote>E", "A\n> B\n> > C\n> D\nE"},
		{"list", "<ul><li>one</li><li>two</li></ul>", "- one\n- two"},
		{"hr", "Bye<hr>From: Amy", "Bye\n________________________________\nFrom: Amy"},
		{"table cells", "<table><tr><td>Lavender</td><td>2</td></tr><tr><td>Peppermint</td><td>1</td></tr></table>", "Lavender 2\nPeppermint 1"},
		{"broken markup", "<p>Hi <b>there</p><div", "Hi there"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := htmlToText(tt.in); got != tt.want {
				t.Errorf("htmlToText(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestHTMLPartTrimsLikePlain checks, on real client output, that the HTML
// alternative of a reply trims to the same words as its plain-text part, so
// HTML-only mail from the same clients is read correctly.
func TestHTMLPartTrimsLikePlain(t *testing.T) {
	for _, name := range []string{"gmail-reply.eml", "outlook-reply.eml"} {
		raw, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		e, err := message.Read(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		b, err := readBody(e)
		if err != nil {
			t.Fatal(err)
		}
		fromHTML := strings.Fields(Trim(htmlToText(b.html)))
		fromPlain := strings.Fields(Trim(b.plain))
		if strings.Join(fromHTML, " ") != strings.Join(fromPlain, " ") {
			t.Errorf("%s: HTML part trims to\n%q\nplain part to\n%q", name, fromHTML, fromPlain)
		}
	}
}
