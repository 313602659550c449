package main

import (
	"os"
	"strconv"

	"github.com/rapportapp/rapport/bench/perf"
)

func main() {
	n, _ := strconv.Atoi(os.Args[2])
	if err := perf.Generate(os.Args[1], n); err != nil {
		panic(err)
	}
}
