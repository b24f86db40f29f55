// Package faultproxy is a loopback TCP proxy for tests that injects network
// faults between a client and a server: connection resets, a blackhole that
// stops forwarding without closing anything, and added latency.
//
// Every goroutine the proxy starts is tied to the proxy or to one proxied
// connection and ends by Close; memory is bounded by a fixed number of
// in-flight chunks per direction.
package faultproxy

import (
	"errors"
	"fmt"
	"net"
	"sync"
	"time"
)

const (
	chunkSize = 32 << 10
	// inflight is how many read chunks one direction holds while they wait
	// out the configured latency.
	inflight = 64
)

// Proxy forwards TCP connections accepted on a loopback address to a target.
// Its methods are safe for concurrent use.
type Proxy struct {
	target string
	ln     net.Listener
	done   chan struct{}
	wg     sync.WaitGroup

	mu       sync.Mutex
	pairs    map[*pair]struct{}
	latency  time.Duration
	open     chan struct{} // closed while forwarding is allowed
	accepted int
	closed   bool
}

// pair is one proxied connection: the accepted client side and the dialled
// server side.
type pair struct {
	client, server net.Conn
	once           sync.Once
	dead           chan struct{} // closed by close
}

func (p *pair) close() {
	p.once.Do(func() {
		close(p.dead)
		// Closing is best effort: a connection already torn down by a reset
		// reports an error that carries no information for the proxy.
		_ = p.client.Close()
		if p.server != nil {
			_ = p.server.Close()
		}
	})
}

// Start listens on a free 127.0.0.1 port and forwards every accepted
// connection to target.
func Start(target string) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("faultproxy: listen: %w", err)
	}
	open := make(chan struct{})
	close(open)
	p := &Proxy{target: target, ln: ln, done: make(chan struct{}), pairs: map[*pair]struct{}{}, open: open}
	p.wg.Add(1)
	go p.acceptLoop()
	return p, nil
}

// Addr is the proxy's listening address, "127.0.0.1:port".
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Accepted is the number of connections accepted so far.
func (p *Proxy) Accepted() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.accepted
}

// Reset aborts every current connection on both sides with a TCP RST (no
// FIN), as a crashed middlebox or a dropped NAT entry would. New connections
// are accepted as usual.
func (p *Proxy) Reset() {
	p.mu.Lock()
	pairs := p.takePairs()
	p.mu.Unlock()
	for _, pr := range pairs {
		abort(pr.client)
		if pr.server != nil {
			abort(pr.server)
		}
		pr.close()
	}
}

// abort sets SO_LINGER to zero so that Close sends RST instead of FIN.
func abort(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		// A connection that is already gone cannot linger; Close below still
		// releases it.
		_ = tc.SetLinger(0)
	}
}

// Blackhole stops forwarding in both directions without closing anything:
// bytes in flight stay unacknowledged by the far side, as on a dead network
// path, and new connections are accepted but not connected through. Heal
// resumes forwarding.
func (p *Proxy) Blackhole() {
	p.mu.Lock()
	defer p.mu.Unlock()
	select {
	case <-p.open:
		p.open = make(chan struct{})
	default: // already blackholed
	}
}

// Latency delays every chunk by d in each direction (0 removes the delay).
func (p *Proxy) Latency(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.latency = d
}

// Heal removes the blackhole and the latency.
func (p *Proxy) Heal() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.latency = 0
	select {
	case <-p.open:
	default:
		close(p.open)
	}
}

// Close stops the listener, closes every connection and waits for the
// proxy's goroutines to end.
func (p *Proxy) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	close(p.done)
	pairs := p.takePairs()
	p.mu.Unlock()
	err := p.ln.Close()
	for _, pr := range pairs {
		pr.close()
	}
	p.wg.Wait()
	if err != nil && !errors.Is(err, net.ErrClosed) {
		return fmt.Errorf("faultproxy: close: %w", err)
	}
	return nil
}

// takePairs empties the connection set. p.mu must be held.
func (p *Proxy) takePairs() []*pair {
	out := make([]*pair, 0, len(p.pairs))
	for pr := range p.pairs {
		out = append(out, pr)
	}
	clear(p.pairs)
	return out
}

func (p *Proxy) gate() (chan struct{}, time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.open, p.latency
}

func (p *Proxy) acceptLoop() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return // listener closed by Close
		}
		pr := &pair{client: c, dead: make(chan struct{})}
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			pr.close()
			return
		}
		p.accepted++
		p.pairs[pr] = struct{}{}
		p.wg.Add(1)
		p.mu.Unlock()
		go p.serve(pr)
	}
}

func (p *Proxy) serve(pr *pair) {
	defer p.wg.Done()
	defer p.forget(pr)
	if !p.waitOpen(pr) {
		pr.close()
		return
	}
	s, err := net.DialTimeout("tcp", p.target, 5*time.Second)
	if err != nil {
		pr.close()
		return
	}
	p.mu.Lock()
	if _, live := p.pairs[pr]; !live { // reset or closed while dialling
		p.mu.Unlock()
		abort(s)
		// Aborted on purpose; the close error is meaningless.
		_ = s.Close()
		pr.close()
		return
	}
	pr.server = s
	p.mu.Unlock()

	var dirs sync.WaitGroup
	dirs.Add(2)
	go func() { defer dirs.Done(); p.forward(pr, pr.server, pr.client) }()
	go func() { defer dirs.Done(); p.forward(pr, pr.client, pr.server) }()
	dirs.Wait()
}

func (p *Proxy) forget(pr *pair) {
	p.mu.Lock()
	delete(p.pairs, pr)
	p.mu.Unlock()
}

// waitOpen blocks while the proxy is blackholed; false means the proxy or
// the pair closed meanwhile.
func (p *Proxy) waitOpen(pr *pair) bool {
	open, _ := p.gate()
	select {
	case <-open:
		return true
	case <-pr.dead:
		return false
	case <-p.done:
		return false
	}
}

type chunk struct {
	b   []byte
	due time.Time
}

// forward copies src to dst through a bounded queue so latency delays chunks
// without serialising them. Either side failing closes the pair.
func (p *Proxy) forward(pr *pair, dst, src net.Conn) {
	q := make(chan chunk, inflight)
	stop := make(chan struct{})
	var reader sync.WaitGroup
	reader.Add(1)
	go func() {
		defer reader.Done()
		defer close(q)
		for {
			buf := make([]byte, chunkSize)
			n, err := src.Read(buf)
			if n > 0 {
				_, lat := p.gate()
				select {
				case q <- chunk{b: buf[:n], due: time.Now().Add(lat)}:
				case <-stop:
					return
				}
			}
			if err != nil {
				return
			}
		}
	}()
	// Unwinding: stop the reader's queueing, close both sides so its Read
	// returns, then wait for it.
	defer reader.Wait()
	defer pr.close()
	defer close(stop)
	for c := range q {
		if d := time.Until(c.due); d > 0 {
			t := time.NewTimer(d)
			select {
			case <-t.C:
			case <-pr.dead:
				t.Stop()
				return
			}
		}
		if !p.waitOpen(pr) {
			return
		}
		if _, err := dst.Write(c.b); err != nil {
			return // the pair is closed on the way out
		}
	}
}
