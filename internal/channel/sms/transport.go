package sms

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// rebase sends every request to base instead of the host twilio-go built
// the URL for. twilio-go has no base-URL setting (edge and region only
// change the twilio.com host), so this is how api_base_url reaches it.
type rebase struct {
	base *url.URL
	next http.RoundTripper
}

func (t rebase) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(req.Context()) // a RoundTripper must not change req
	r.URL.Scheme = t.base.Scheme
	r.URL.Host = t.base.Host
	r.URL.Path = strings.TrimSuffix(t.base.Path, "/") + r.URL.Path
	r.URL.RawPath = ""
	r.Host = ""
	return t.next.RoundTrip(r)
}

// httpClient returns the client twilio-go uses: the given timeout (its
// calls take no context), no redirects (as twilio-go's own default), and
// every request sent to baseURL when one is set.
func httpClient(baseURL string, timeout time.Duration) (*http.Client, error) {
	c := &http.Client{
		Timeout:       timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	if baseURL == "" {
		return c, nil
	}
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("api_base_url %q is not an http(s) URL like https://api.twilio.com", baseURL)
	}
	c.Transport = rebase{base: u, next: http.DefaultTransport.(*http.Transport).Clone()}
	return c, nil
}
