package integration

import (
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/parsec-gen/parsec-gen/runtime/client"
	"github.com/parsec-gen/parsec-gen/runtime/transport/transporttest"
	"github.com/parsec-gen/parsec-gen/server"
	"github.com/parsec-gen/parsec-gen/server/internal/centrifugotest"
)

// contractHistory is the history size of the servers the contract runs
// against: small, so that the suite can overflow it.
const contractHistory = 16

// The WebSocket transport keeps the transport contract against the embedded
// centrifuge node.
func TestWSTransportContract(t *testing.T) {
	srv := startServer(t, server.Config{HistorySize: contractHistory})
	var users atomic.Int64
	transporttest.Run(t, transporttest.Harness{
		New: func(t *testing.T) client.Transport {
			return dialWS(t, srv, srv.URL(), "contract-"+strconv.FormatInt(users.Add(1), 10))
		},
		HistorySize: contractHistory,
		Caps:        transporttest.Capabilities{Presence: true, History: true},
	})
}

// The SSE transport (HTTP publish, SSE subscribe) keeps the transport
// contract against Centrifugo.
func TestSSETransportContract(t *testing.T) {
	ns := centrifugotest.DefaultNamespace()
	ns.HistorySize = contractHistory
	c := startCentrifugo(t, centrifugotest.Options{Namespaces: []centrifugotest.Namespace{ns}})
	var users, channels atomic.Int64
	transporttest.Run(t, transporttest.Harness{
		New: func(t *testing.T) client.Transport {
			return newSSE(t, c, c.URL, "contract-"+strconv.FormatInt(users.Add(1), 10), nil)
		},
		Channel: func(t *testing.T) string {
			return ns.Name + ":contract-" + strconv.FormatInt(channels.Add(1), 10)
		},
		HistorySize: contractHistory,
		Caps:        transporttest.Capabilities{Presence: true, History: true},
		Timeout:     sseWaitDelivery,
	})
}
