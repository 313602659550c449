package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
)

// Many goroutines share commits; one that fails loses only its own rows.
func TestBatchSharesCommitsAndIsolatesFailures(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	var wg sync.WaitGroup
	errs := make([]error, 200)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.Batch(ctx, func(tx *Tx) error {
				c := &Contact{Email: fmt.Sprintf("c%d@example.com", i)}
				if _, err := tx.UpsertContact(ctx, c, 1); err != nil {
					return err
				}
				if i%10 == 0 {
					return errors.New("refused")
				}
				return nil
			})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if (i%10 == 0) != (err != nil) {
			t.Fatalf("request %d: err = %v", i, err)
		}
	}
	cs, err := s.Contacts(ctx, "")
	if err != nil || len(cs) != 180 {
		t.Fatalf("%d contacts stored (%v), want 180: failed requests must leave nothing", len(cs), err)
	}
}
