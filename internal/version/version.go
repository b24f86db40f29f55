// Package version holds the release version of this repository's modules.
//
// It is the one source of truth: parsec-gen prints it (version, --version),
// the go.mod files of server/ and example/ require the root module (and
// server) at exactly this version, and the release check builds the modules
// from a module proxy that serves this checkout under it. To cut a release,
// set Version, update those requirements, run make release-check, commit,
// and tag the commit Version and server/Version.
package version

// Version is the version of the parsec-gen modules this tree is released as.
const Version = "v0.1.0"
