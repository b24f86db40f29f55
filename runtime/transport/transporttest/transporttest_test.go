package transporttest_test

import (
	"context"
	"sync"
	"testing"

	"github.com/parsec-gen/parsec-gen/runtime/client"
	"github.com/parsec-gen/parsec-gen/runtime/transport/transporttest"
)

// bare is a transport without the optional parts: History and Presence
// answer client.ErrNotImplemented, as client.Transport allows.
type bare struct{ *client.MemoryTransport }

func (bare) History(context.Context, string, client.HistoryOptions) ([][]byte, error) {
	return nil, client.ErrNotImplemented
}

func (bare) Presence(context.Context, string) ([]client.PresenceEntry, error) {
	return nil, client.ErrNotImplemented
}

// A transport that declares no history and no presence passes the suite,
// which checks the declared answers instead.
func TestRunWithoutOptionalParts(t *testing.T) {
	var (
		mu     sync.Mutex
		broker = map[*testing.T]*client.MemoryTransport{}
	)
	transporttest.Run(t, transporttest.Harness{
		New: func(t *testing.T) client.Transport {
			mu.Lock()
			defer mu.Unlock()
			if b := broker[t]; b != nil {
				return bare{b.Peer()}
			}
			b := client.NewMemoryTransport(client.MemoryHistorySize(16))
			broker[t] = b
			return bare{b}
		},
		HistorySize: 16,
	})
}
