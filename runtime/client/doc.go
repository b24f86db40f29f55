// Package client is the Parsec runtime client: it publishes aspect payloads
// wrapped in envelopes with per-producer sequences, subscribes to channels,
// detects gaps and duplicates per producer, validates payloads against their
// schemas and resumes subscriptions after a lost stream.
//
// A Client moves bytes through a Transport: WebSocket and HTTP+SSE transports
// live under runtime/transport; MemoryTransport is an in-process broker for
// tests and examples.
package client
