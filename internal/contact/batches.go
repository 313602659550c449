package contact

import (
	"context"
	"errors"
	"io"
	"iter"
	"slices"
)

// Row is one row as Batches delivers it: a Record, or in Err a *Problem
// (the row is to be reported and skipped) or a read error (the last row).
type Row struct {
	Record Record
	Err    error
}

// rawRow is a row split into fields but not yet checked.
type rawRow struct {
	fields []string
	line   int
	err    error // a *Problem or a read error; fields is nil then
}

// batch is size rows on their way from the reader through a checker to the
// caller: done is closed once out is filled.
type batch struct {
	raw  []rawRow
	out  []Row
	done chan struct{}
}

// Batches reads the rest of the file and yields its rows, checked, in
// batches of up to size and in file order, on the caller's goroutine (the
// writer of an import). One goroutine splits the file and workers
// goroutines check the rows: checking a phone number costs libphonenumber
// tens of microseconds, more than splitting and storing the row together,
// so on one goroutine it would set the pace of an import. The caller takes
// each batch as soon as its checker is done with it: no goroutine stands
// between them. The rows end after the last one, after a read error (the
// last row's Err) or once ctx is done. Memory stays bounded by the queues:
// at most workers batches waiting for a checker and 2*workers waiting for
// the caller. When the loop ends, early or not, the file is no longer read.
func (r *Reader) Batches(ctx context.Context, workers, size int) iter.Seq[[]Row] {
	workers, size = max(workers, 1), max(size, 1)
	return func(yield func([]Row) bool) {
		ctx, cancel := context.WithCancel(ctx)
		todo := make(chan *batch, workers)
		inOrder := make(chan *batch, 2*workers)
		go r.readBatches(ctx, size, todo, inOrder)
		for range workers {
			go r.checkBatches(todo)
		}
		defer func() {
			cancel()
			for range inOrder { // the splitter has stopped once it closes
			}
		}()
		for b := range inOrder {
			if ctx.Err() != nil { // even when the next batch is ready
				return
			}
			select {
			case <-b.done:
			case <-ctx.Done():
				return
			}
			if !yield(b.out) {
				return
			}
		}
	}
}

// checkBatches checks the rows of each batch from todo, then says it is
// done.
func (r *Reader) checkBatches(todo <-chan *batch) {
	ck := newChecker(r.region)
	for b := range todo {
		b.out = make([]Row, len(b.raw))
		for i, raw := range b.raw {
			b.out[i] = r.checkRow(ck, raw)
		}
		close(b.done)
	}
}

// readBatches reads batches of raw rows and hands each to the checkers and, in
// file order, to the caller of Batches, until the end of the file, a read error or
// ctx's end.
func (r *Reader) readBatches(ctx context.Context, size int, todo, inOrder chan<- *batch) {
	defer close(inOrder)
	defer close(todo)
	for {
		b, last := r.readRaw(size)
		select {
		case todo <- b:
		case <-ctx.Done():
			return
		}
		select {
		case inOrder <- b:
		case <-ctx.Done():
			return
		}
		if last {
			return
		}
	}
}

// readRaw reads up to size rows; last says the file (or the reading) ended.
func (r *Reader) readRaw(size int) (b *batch, last bool) {
	b = &batch{raw: make([]rawRow, 0, size), done: make(chan struct{})}
	for len(b.raw) < size {
		fields, line, err := r.nextFields()
		if errors.Is(err, io.EOF) {
			return b, true
		}
		b.raw = append(b.raw, rawRow{fields: slices.Clone(fields), line: line, err: err})
		var p *Problem
		if err != nil && !errors.As(err, &p) {
			return b, true
		}
	}
	return b, false
}

func (r *Reader) checkRow(ck *checker, raw rawRow) Row {
	if raw.err != nil {
		return Row{Err: raw.err}
	}
	rec, err := r.build(ck, raw.fields, raw.line)
	return Row{Record: rec, Err: err}
}
