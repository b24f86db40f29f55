package client_test

import (
	"sync"
	"testing"

	"github.com/parsec-gen/parsec-gen/runtime/client"
	"github.com/parsec-gen/parsec-gen/runtime/transport/transporttest"
)

// The memory transport keeps the transport contract: every transport a test
// asks for is a Peer on one broker.
func TestMemoryTransportContract(t *testing.T) {
	const history = 16
	var (
		mu     sync.Mutex
		broker = map[*testing.T]*client.MemoryTransport{}
	)
	transporttest.Run(t, transporttest.Harness{
		New: func(t *testing.T) client.Transport {
			mu.Lock()
			defer mu.Unlock()
			if b := broker[t]; b != nil {
				return b.Peer()
			}
			b := client.NewMemoryTransport(client.MemoryHistorySize(history))
			broker[t] = b
			return b
		},
		HistorySize: history,
		Caps:        transporttest.Capabilities{Presence: true, History: true},
	})
}
