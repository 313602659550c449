package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// delivered is one message that reached a server.
type delivered struct {
	To   string
	ID   string // email: Message-ID; text: Twilio SID
	Body string // texts only
}

var httpClient = &http.Client{Timeout: 30 * time.Second}

// getJSON fetches u into v; user and pass, when set, go as Basic auth.
func getJSON(ctx context.Context, u, user, pass string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return fmt.Errorf("GET %s: %w", u, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("GET %s: %w", u, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s: %s", u, resp.Status, strings.TrimSpace(string(body)))
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("GET %s: decode: %w", u, err)
	}
	return nil
}

// emails lists every message Mailpit holds, one entry per recipient.
func (ms *MailServer) emails(ctx context.Context) ([]delivered, error) {
	var res struct {
		Messages []struct {
			MessageID string
			To        []struct{ Address string }
		}
	}
	// limit=0: every message, no paging.
	if err := getJSON(ctx, ms.APIURL+"/api/v1/messages?limit=0", "", "", &res); err != nil {
		return nil, fmt.Errorf("list Mailpit messages: %w", err)
	}
	var out []delivered
	for _, m := range res.Messages {
		for _, to := range m.To {
			out = append(out, delivered{To: strings.ToLower(to.Address), ID: m.MessageID})
		}
	}
	return out, nil
}

// texts lists every outbound text the sandbox took, following Twilio's
// paging (next_page_uri) to the end.
func (sb *sandbox) texts(ctx context.Context) ([]delivered, error) {
	next := "/2010-04-01/Accounts/" + url.PathEscape(sb.SID) + "/Messages.json?PageSize=1000"
	var out []delivered
	for next != "" {
		var page struct {
			NextPageURI *string `json:"next_page_uri"`
			Messages    []struct {
				SID       string `json:"sid"`
				To        string `json:"to"`
				Body      string `json:"body"`
				Direction string `json:"direction"`
			} `json:"messages"`
		}
		if err := getJSON(ctx, sb.URL+next, sb.SID, sb.Token, &page); err != nil {
			return nil, fmt.Errorf("list sandbox texts: %w", err)
		}
		for _, m := range page.Messages {
			if m.Direction != "inbound" {
				out = append(out, delivered{To: m.To, ID: m.SID, Body: m.Body})
			}
		}
		next = ""
		if page.NextPageURI != nil {
			next = *page.NextPageURI
		}
	}
	return out, nil
}
