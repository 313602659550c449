package sms_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/rapportapp/rapport/internal/channel"
	"github.com/rapportapp/rapport/internal/channel/sms"
)

func text() *channel.Message {
	return &channel.Message{
		ID: 42, Channel: channel.SMS, ContactID: 7, Campaign: "post-order", Step: "arrival-check",
		To: "+13125550123", Text: "Hi Jane, it's Amy. Did your order arrive? Reply STOP to opt out.",
		Date: time.Date(2026, 3, 9, 10, 0, 0, 0, time.FixedZone("CDT", -5*3600)),
	}
}

func TestOutboxFileName(t *testing.T) {
	tests := []struct {
		id             int64
		campaign, step string
		want           string
	}{
		{42, "post-order", "arrival-check", "00000042-post-order-arrival-check.sms.json"},
		{123456789, "tips", "monthly", "123456789-tips-monthly.sms.json"},
		{1, "../../etc", "a/b", "00000001-.._.._etc-a_b.sms.json"},
	}
	for _, tt := range tests {
		m := &channel.Message{ID: tt.id, Campaign: tt.campaign, Step: tt.step}
		if got := sms.OutboxFileName(m); got != tt.want {
			t.Errorf("OutboxFileName(%d, %q, %q) = %q, want %q", tt.id, tt.campaign, tt.step, got, tt.want)
		}
	}
}

func TestOutboxWritesExactJSON(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "outbox") // created by NewOutbox
	o, err := sms.NewOutbox(dir, "+13125550100")
	if err != nil {
		t.Fatal(err)
	}
	m := text()
	name, err := o.Send(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	if name != sms.OutboxFileName(m) {
		t.Errorf("Send returned %q, want the file name", name)
	}
	data, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"to": m.To, "from": "+13125550100", "body": m.Text, "campaign": "post-order",
		"step": "arrival-check", "contact_id": float64(7), "at": "2026-03-09T10:00:00-05:00",
	}
	if len(got) != len(want) {
		t.Errorf("fields = %v, want exactly %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %#v, want %#v", k, got[k], v)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("outbox holds %d files, want 1 (no temporary files left)", len(entries))
	}
}

func TestOutboxSendTwiceKeepsOneFile(t *testing.T) {
	dir := t.TempDir()
	o, err := sms.NewOutbox(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := o.Send(context.Background(), text()); err != nil {
			t.Fatal(err)
		}
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if !slices.Equal(names, []string{sms.OutboxFileName(text())}) {
		t.Errorf("files = %v", names)
	}
}

func TestOutboxVerify(t *testing.T) {
	o, err := sms.NewOutbox(t.TempDir(), "")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, sent, err := o.Verify(ctx, text()); err != nil || sent {
		t.Fatalf("before Send: sent=%v err=%v", sent, err)
	}
	if _, err := o.Send(ctx, text()); err != nil {
		t.Fatal(err)
	}
	if id, sent, err := o.Verify(ctx, text()); err != nil || !sent || id != sms.OutboxFileName(text()) {
		t.Fatalf("after Send: id=%q sent=%v err=%v", id, sent, err)
	}
}

func TestOutboxSendFailureIsTemporary(t *testing.T) {
	dir := t.TempDir()
	o, err := sms.NewOutbox(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(dir); err != nil { // the folder vanished under us
		t.Fatal(err)
	}
	_, err = o.Send(context.Background(), text())
	if classified(t, err).Class != channel.Temporary {
		t.Errorf("err = %v, want a temporary error", err)
	}
}

func TestNewOutboxNeedsAFolder(t *testing.T) {
	if _, err := sms.NewOutbox("", ""); err == nil {
		t.Error("NewOutbox(\"\") succeeded")
	}
}
