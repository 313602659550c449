package mailbox

import (
	"cmp"
	"context"
	"math"
	"slices"
	"time"

	"github.com/emersion/go-imap/v2"
)

// minBytesPerSecond is the slowest line a fetch is given time for.
const minBytesPerSecond = 128 << 10

// entry is a message waiting to be read.
type entry struct {
	uid  uint32
	size int64
}

// listAfter lists the messages with a UID above last, in UID order, with
// their sizes. It asks with FETCH rather than SEARCH so that one round trip
// gives both the UIDs and the sizes that bound each batch's memory.
//
// "UID n:*" always includes the last message, even when its UID is below n
// (RFC 3501 6.4.8: "*" is the largest UID in use). go-imap happens to drop
// that answer; it is filtered here too so as not to depend on it.
func (s *session) listAfter(ctx context.Context, last uint32) ([]entry, error) {
	if last == math.MaxUint32 {
		return nil, nil
	}
	set := imap.UIDSet{imap.UIDRange{Start: imap.UID(last + 1), Stop: 0}} // last+1:*
	return s.sizes(ctx, "list new messages", set, last)
}

// listSince lists the messages that arrived on or after since's day.
func (s *session) listSince(ctx context.Context, since time.Time) ([]entry, error) {
	var uids []imap.UID
	step := "search mail since " + since.Format("2-Jan-2006")
	err := s.do(ctx, step, func() error {
		data, err := s.client.UIDSearch(&imap.SearchCriteria{Since: since}, nil).Wait()
		if err == nil {
			uids = data.AllUIDs()
		}
		return err
	})
	if err != nil || len(uids) == 0 {
		return nil, err
	}
	return s.sizes(ctx, "list mail since "+since.Format("2-Jan-2006"), imap.UIDSetNum(uids...), 0)
}

// sizes fetches the UIDs above last in set with their sizes, in UID order.
func (s *session) sizes(ctx context.Context, step string, set imap.UIDSet, last uint32) ([]entry, error) {
	var list []entry
	err := s.do(ctx, step, func() error {
		msgs, err := s.client.Fetch(set, &imap.FetchOptions{UID: true, RFC822Size: true}).Collect()
		for _, m := range msgs {
			if uint32(m.UID) > last {
				list = append(list, entry{uid: uint32(m.UID), size: m.RFC822Size})
			}
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(list, func(a, b entry) int { return cmp.Compare(a.uid, b.uid) })
	return list, nil
}

// batches splits the list into runs of at most batchMessages messages and,
// unless one message alone is larger, batchBytes bytes.
func batches(list []entry) [][]entry {
	var out [][]entry
	start, bytes := 0, int64(0)
	for i, e := range list {
		full := i-start == batchMessages || (i > start && bytes+e.size > batchBytes)
		if full {
			out = append(out, list[start:i])
			start, bytes = i, 0
		}
		bytes += e.size
	}
	if start < len(list) {
		out = append(out, list[start:])
	}
	return out
}

// fetchBodies fetches whole messages with BODY.PEEK[], which unlike BODY[]
// does not set \Seen.
func (s *session) fetchBodies(ctx context.Context, batch []entry) (map[uint32][]byte, error) {
	var set imap.UIDSet
	for _, e := range batch {
		set.AddNum(imap.UID(e.uid))
	}
	var total int64
	for _, e := range batch {
		total += e.size
	}
	section := &imap.FetchItemBodySection{Peek: true}
	bodies := make(map[uint32][]byte, len(batch))
	// Big messages get longer than cfg.Timeout, at 1 Mbit/s, so that a
	// slow line never stalls polling on a mail full of photos.
	within := s.cfg.Timeout + time.Duration(total/minBytesPerSecond)*time.Second
	err := s.doWithin(ctx, "fetch messages", within, func() error {
		msgs, err := s.client.Fetch(set, &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{section}}).Collect()
		for _, m := range msgs {
			if body := m.FindBodySection(section); body != nil {
				bodies[uint32(m.UID)] = body
			}
		}
		return err
	})
	return bodies, err
}
