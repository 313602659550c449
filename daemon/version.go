package main

import (
	"runtime/debug"
	"strings"
)

// version is this release; a packager may set it with
// -ldflags "-X main.version=1.2.3".
var version = "0.4.0"

// fullVersion is version with the commit the binary was built from, when
// the Go tool recorded one, as semver build metadata
// ("0.4.0+0123456789ab", "+0123456789ab.dirty" for uncommitted changes):
// a rep's bug report then names the exact code.
func fullVersion() string {
	info, _ := debug.ReadBuildInfo()
	return describeVersion(version, info)
}

func describeVersion(v string, info *debug.BuildInfo) string {
	if info == nil || strings.Contains(v, "+") {
		return v
	}
	var rev string
	var dirty bool
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev == "" {
		return v
	}
	v += "+" + rev[:min(len(rev), 12)]
	if dirty {
		v += ".dirty"
	}
	return v
}
