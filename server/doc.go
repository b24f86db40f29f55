// Package server runs an embedded Parsec-compatible real-time server: a
// centrifuge node with history and recovery, served on loopback with token
// authentication. The example and the integration tests use it as the default
// server; production deployments point the runtime at Parsec or Centrifugo.
//
// What a client observes matches Centrifugo: connection tokens are HS256 JWTs
// with the same claims (sub, exp, nbf, info; see SignTokenClaims), a
// connection's info claim is its conn_info in presence, and a publication a
// client makes carries that client's info (user, client, conn_info). The
// server HTTP API (APIPath: publish, history, presence) is served too, so
// runtime/transport/sse can publish here; its SSE subscriptions need
// Centrifugo's unidirectional endpoint, which the embedded server lacks.
package server
