// Package sse is a client.Transport for Centrifugo that publishes through the
// server HTTP API and subscribes through the unidirectional Server-Sent Events
// endpoint (/connection/uni_sse). It needs no WebSocket and no client-side
// protocol beyond plain HTTP, which suits services behind proxies that only
// pass HTTP.
//
// Each Subscribe opens one SSE stream whose connect request asks Centrifugo
// for a server-side subscription to the channel. The channel's namespace
// should set history_size, history_ttl and force_recovery (force_positioning
// is advised), so that the stream carries offsets and an epoch. The transport
// then:
//
//   - delivers each publication once, in stream order, dropping duplicates at
//     reconnect boundaries by offset;
//   - reconnects with backoff and jitter when the stream breaks, the server
//     disconnects with a reconnect code, or nothing (not even a ping) arrives
//     within the ping timeout, resuming with recover/epoch/offset so that the
//     server replays what was missed inside its connect frame;
//   - reports client.EventRecovered when the replay was complete and
//     client.EventUnrecoverable (with the number of lost publications when
//     the epoch is unchanged, -1 otherwise) when it was not, for example
//     after a server restart with the memory engine; the stream then goes on
//     from the server's current position and never reuses a stale one;
//   - reports malformed and oversized frames as client.EventError and keeps
//     the stream; an event cut by the end of the stream is never delivered;
//   - renews the connection token on every reconnect (Config.Token), which is
//     how an expiring token is refreshed on a unidirectional connection.
//
// Centrifugo replays at most client.recovery_max_publication_limit
// publications (300 by default) and only what the channel's history still
// holds; a longer absence is reported as client.EventUnrecoverable with the
// exact count. A publication whose data is not JSON (published in binary
// form) cannot be sent to this JSON client: Centrifugo disconnects it with
// code 3506 and would fail every replay containing it, so the stream resumes
// from the server's current position and reports what it skipped.
//
// A full delivery channel is back-pressure, not loss: the stream stops
// reading, the server's per-connection queue fills, and Centrifugo closes the
// connection as slow; the transport then reconnects and recovers from
// history, or reports what history no longer holds. Memory on the client
// side stays bounded by Config.Buffer plus one frame.
//
// Publish copies the envelope bytes into the API request verbatim (no
// re-encoding, no HTML escaping), so every subscriber, in Go or in any other
// Centrifugo client, receives exactly the bytes the publisher encoded.
//
// History and Presence use the server API (/api/history, /api/presence) and
// need Config.APIKey, like Publish.
package sse
