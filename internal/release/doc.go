// Package release holds the tests that build this repository's modules the
// way a module outside it does: TestReleaseModules from a module proxy that
// serves the checkout as the release version (make release-check), and
// TestQuickStartLocalCheckout through the README's quick start for an
// unpublished checkout. The package has no code of its own.
package release
