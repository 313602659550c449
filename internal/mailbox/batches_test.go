package mailbox

import (
	"reflect"
	"testing"
)

func TestBatches(t *testing.T) {
	sized := func(sizes ...int64) []entry {
		var l []entry
		for i, s := range sizes {
			l = append(l, entry{uid: uint32(i + 1), size: s})
		}
		return l
	}
	lens := func(bs [][]entry) []int {
		var n []int
		for _, b := range bs {
			n = append(n, len(b))
		}
		return n
	}
	many := make([]int64, 2*batchMessages+1)
	tests := []struct {
		name string
		list []entry
		want []int
	}{
		{"empty", nil, nil},
		{"one", sized(10), []int{1}},
		{"split by count", sized(many...), []int{batchMessages, batchMessages, 1}},
		{"split by bytes", sized(batchBytes/2, batchBytes/2, 1, batchBytes), []int{2, 1, 1}},
		{"a message larger than a batch goes alone", sized(1, 3*batchBytes, 1), []int{1, 1, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := lens(batches(tt.list)); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("batch sizes %v, want %v", got, tt.want)
			}
		})
	}
}
