// Package interop tests the wire against the official JavaScript client,
// centrifuge-js (JSON protocol, in node), on the embedded server and on
// Centrifugo: what centrifuge-js receives is byte for byte what Go encoded,
// what it publishes reaches typed Go handlers, and recovery, presence and
// publication info look the same on both servers.
//
// The JavaScript side is js/peer.mjs, with its dependencies pinned in
// js/package-lock.json; `make interop-deps` installs node (Debian's nodejs)
// and the packages (npm ci), and `make interop` runs the tests.
package interop
