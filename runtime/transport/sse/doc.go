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
//   - reports client.EventRecovered when the replay was complete; when the
//     server refuses it (history shorter than the absence, more than
//     recovery_max_publication_limit to replay, a new epoch after a restart
//     with the memory engine), first delivers what the channel's history
//     still holds (read through the server API, so Config.APIKey is needed)
//     and reports client.EventUnrecoverable only for what history lost:
//     the exact number of publications in the same epoch, -1 after an
//     epoch change (the new epoch is delivered from its oldest retained
//     publication). Without an APIKey, or when history cannot be read, the
//     stream goes on from the server's current position and the whole
//     absence is reported. A stale position is never reused;
//   - reports malformed and oversized frames as client.EventError and keeps
//     the stream; an event cut by the end of the stream is never delivered;
//   - renews the connection token on every reconnect (Config.Token), which is
//     how an expiring token is refreshed on a unidirectional connection.
//
// Centrifugo replays at most client.recovery_max_publication_limit
// publications (300 by default) and only what the channel's history still
// holds; beyond that the transport refills from history as above, and what
// history no longer holds is reported as client.EventUnrecoverable with the
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
//
// # Configuration
//
// NewTransport(url, options...) takes functional options, the style of the
// WebSocket transport (ws.New) and the memory transport
// (client.NewMemoryTransport); each option sets one Config field, and
// where both transports have a setting the option has the same name
// (WithToken, WithTokenFunc, WithLogger, WithPingTimeout,
// WithReconnectDelay). New(Config) takes the same settings as a struct and
// stays; both apply the same defaults and checks.
//
// A Transport used after Close returns ErrClosed, which is the same error
// as ws.ErrClosed and client.ErrTransportClosed. The transport keeps the
// contract every client.Transport keeps; package transporttest is its test
// suite, which this transport runs against Centrifugo.
package sse
