// Package rapport holds the starter set that `rapport init` and `rapport
// demo` lay out: campaigns, templates, an example config and contacts.
// The program itself is in daemon/ and its parts in internal/.
package rapport

import "embed"

// Starter is the starter set, as laid out in this repository.
//
//go:embed campaigns templates config.toml.example contacts.example.csv
var Starter embed.FS
