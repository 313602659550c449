// Package perf is Rapport's benchmark suite: the helpers here, the
// benchmarks in its _test.go files. bench/run runs it and prints one
// table; each row is a figure, its baseline, their ratio and the target.
//
//   - Import: `rapport import` of generated contacts with orders, against
//     the sqlite3 shell's .import of the same file into a bare table plus
//     the phone checks alone on every core; and its peak memory.
//   - Schedule: finding the next due batch, claiming a row and a pass with
//     nothing due, on the imported database and on one ten times smaller.
//   - Sending: `rapport run --once` sending queued emails to Mailpit against
//     a plain go-mail loop; texts to the Twilio stand-in at [sms] rate.
//   - Daemon: start to READY=1 and resident memory of `rapport run`.
//
// Everything runs the real binary on loopback. The benchmarks only run
// with -bench (go test ./... skips them):
//
//	go test ./bench/perf -run '^$' -bench . -benchtime 1x -args -rows 100000
package perf
