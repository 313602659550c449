package store

import (
	"context"
	"fmt"
	"sync"
)

// maxBatch bounds how many callers share one commit.
const maxBatch = 128

// batchReq is one caller waiting for a shared commit.
type batchReq struct {
	fn   func(*Tx) error
	done chan error
}

// batcher runs small write transactions from many goroutines (webhook
// requests) together: one commit, and so one fsync, serves all that
// arrived while the previous one was being written. SQLite has one writer
// and each commit waits for the disk, so this is what lets the HTTP side
// take hundreds of requests a second.
type batcher struct {
	once sync.Once
	reqs chan batchReq
	quit chan struct{}
	wg   sync.WaitGroup
}

// Batch runs fn in a write transaction it may share with other Batch
// callers. fn runs inside its own savepoint: if it returns an error, only
// its own changes are rolled back, and the error is returned to it alone.
// Batch returns once the shared transaction is committed.
func (s *Store) Batch(ctx context.Context, fn func(*Tx) error) error {
	b := &s.batch
	b.once.Do(func() {
		b.reqs, b.quit = make(chan batchReq), make(chan struct{})
		b.wg.Add(1)
		go s.runBatches(b)
	})
	req := batchReq{fn: fn, done: make(chan error, 1)}
	select {
	case b.reqs <- req:
	case <-b.quit:
		return fmt.Errorf("database is closed")
	case <-ctx.Done():
		return ctx.Err()
	}
	return <-req.done
}

func (s *Store) runBatches(b *batcher) {
	defer b.wg.Done()
	for {
		var reqs []batchReq
		select {
		case r := <-b.reqs:
			reqs = append(reqs, r)
		case <-b.quit:
			return
		}
	gather:
		for len(reqs) < maxBatch {
			select {
			case r := <-b.reqs:
				reqs = append(reqs, r)
			default:
				break gather
			}
		}
		s.commitBatch(reqs)
	}
}

// commitBatch runs each request in a savepoint of one transaction.
func (s *Store) commitBatch(reqs []batchReq) {
	errs := make([]error, len(reqs))
	ctx := context.Background()
	err := s.Tx(ctx, func(tx *Tx) error {
		for i, r := range reqs {
			errs[i] = savepoint(ctx, tx, r.fn)
		}
		return nil
	})
	for i, r := range reqs {
		if err != nil {
			errs[i] = err
		}
		r.done <- errs[i]
	}
}

func savepoint(ctx context.Context, tx *Tx, fn func(*Tx) error) error {
	if _, err := tx.exec(ctx, "savepoint"); err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		if _, rerr := tx.exec(ctx, "savepoint-rollback"); rerr != nil {
			return fmt.Errorf("%w (and rolling back: %v)", err, rerr)
		}
		if _, rerr := tx.exec(ctx, "savepoint-release"); rerr != nil {
			return fmt.Errorf("%w (and releasing the savepoint: %v)", err, rerr)
		}
		return err
	}
	_, err := tx.exec(ctx, "savepoint-release")
	return err
}

// stopBatches ends the batcher after the batch in hand.
func (s *Store) stopBatches() {
	b := &s.batch
	b.once.Do(func() {}) // never start one now
	if b.quit != nil {
		close(b.quit)
		b.wg.Wait()
	}
}
