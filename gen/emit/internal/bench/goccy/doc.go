// Package goccy puts github.com/goccy/go-json beside the generated codec in
// the codec benchmark, as the reference the decode target is set against
// (decode and validate at or below goccy's decode without validation, on the
// same event in the same run).
//
// It is a module of its own so that goccy/go-json is never a requirement of
// the root module, which is the runtime module every consumer of generated
// code imports. Its path lies under gen/emit, so it may import the
// benchmark's internal packages; the workspace (go.work) resolves the root
// module to this checkout. Run it with make bench-codec.
package goccy
