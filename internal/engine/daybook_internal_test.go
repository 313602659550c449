package engine

import (
	"testing"
	"time"

	"github.com/rapportapp/rapport/internal/store"
)

// The batch's book spans the days of all its contacts' zones; each row
// takes only what belongs to its own day, and a row whose day is not the
// one read (midnight passed during the batch) is read again.
func TestDayBookAnswersForTheRowsOwnDayOnly(t *testing.T) {
	chicago, err := time.LoadLocation("America/Chicago")
	if err != nil {
		t.Fatal(err)
	}
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 2, 14, 0, 0, 0, time.UTC) // 08:00 in Chicago, 23:00 in Tokyo
	cs, ce := dayOf(now, chicago)
	ts, te := dayOf(now, tokyo)
	b := &dayBook{from: min(cs, ts), to: max(ce, te), open: map[int64]bool{1: true, 2: true, 3: true}, msgs: map[int64][]store.DayMessage{
		1: {
			{ID: 10, State: store.Sent, SentAt: ts + 60},   // the Tokyo day, before the Chicago one
			{ID: 11, State: store.Sent, SentAt: cs + 60},   // this morning in Chicago
			{ID: 12, State: store.Pending, DueAt: ce + 60}, // tomorrow in Chicago
		},
	}}
	msgs, ok := b.take(1, cs, ce)
	if !ok {
		t.Fatal("the book does not answer for the contact's first row")
	}
	var of []int64
	for _, m := range msgs {
		if ofDay(m, cs, ce) {
			of = append(of, m.ID)
		}
	}
	if len(of) != 1 || of[0] != 11 {
		t.Errorf("messages of the Chicago day %v, want [11]", of)
	}
	b.done(1)
	if _, ok := b.take(1, cs, ce); ok {
		t.Error("the book answered for a contact after its first row")
	}
	if _, ok := b.take(2, ce, ce+24*3600); ok {
		t.Error("the book answered for a day it did not read")
	}
	if _, ok := b.take(4, cs, ce); ok {
		t.Error("the book answered for a contact it did not read")
	}
	if msgs, ok := b.take(3, cs, ce); !ok || len(msgs) != 0 {
		t.Errorf("a contact with nothing that day: %v, %v; want an empty answer", msgs, ok)
	}
}
