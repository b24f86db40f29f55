// Package server runs an embedded Parsec-compatible real-time server: a
// centrifuge node with history and recovery, served on loopback with token
// authentication. The example and the integration tests use it as the default
// server; production deployments point the runtime at Parsec or Centrifugo.
package server
