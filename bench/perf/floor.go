package perf

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/nyaruka/phonenumbers"
)

// Column reads one column of a CSV file with a header row, by name.
func Column(path, name string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.ReuseRecord = true
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	col := -1
	for i, h := range header {
		if h == name {
			col = i
		}
	}
	if col < 0 {
		return nil, fmt.Errorf("%s: no column %q", path, name)
	}
	var out []string
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		out = append(out, rec[col])
	}
}

// ValidatePhones does to every number what an import must at least do
// (phonenumbers Parse, IsValidNumber, Format as E.164) on workers
// goroutines, and returns how long it took and how many were valid. It is
// the floor phone validation sets under any import.
func ValidatePhones(numbers []string, region string, workers int) (time.Duration, int) {
	// The library reads its metadata and compiles its patterns on first
	// use: that is start-up, not the floor.
	for _, s := range numbers[:min(len(numbers), 100)] {
		if n, err := phonenumbers.Parse(s, region); err == nil {
			phonenumbers.IsValidNumber(n)
		}
	}
	var wg sync.WaitGroup
	valid := make([]int, workers)
	start := time.Now()
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(numbers); i += workers {
				n, err := phonenumbers.Parse(numbers[i], region)
				if err != nil || !phonenumbers.IsValidNumber(n) {
					continue
				}
				if phonenumbers.Format(n, phonenumbers.E164) != "" {
					valid[w]++
				}
			}
		})
	}
	wg.Wait()
	took := time.Since(start)
	total := 0
	for _, v := range valid {
		total += v
	}
	return took, total
}
