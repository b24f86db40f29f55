package integration

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parsec-gen/parsec-gen/runtime/client"
	"github.com/parsec-gen/parsec-gen/runtime/transport/ws"
	"github.com/parsec-gen/parsec-gen/server"
)

// gateway is a TLS-terminating reverse proxy on loopback in front of the
// embedded node, as a deployment puts one: it requires a client certificate
// signed by its CA (mutual TLS) and an API key header, and forwards the
// WebSocket upgrade to the node.
type gateway struct {
	ts       *httptest.Server
	roots    *x509.CertPool // trusts the gateway's server certificate
	client   tls.Certificate
	upgrades atomic.Int64 // forwarded upgrade requests
	refused  atomic.Int64 // requests without the API key
	mu       sync.Mutex
	peers    []string        // common names of the client certificates seen
	errLog   strings.Builder // the TLS server's error log (handshake failures)
}

func (g *gateway) Write(p []byte) (int, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.errLog.Write(p)
}

func (g *gateway) errors() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.errLog.String()
}

const gatewayKey = "k-7f3a91"

func startGateway(t *testing.T, srv *server.Server) *gateway {
	t.Helper()
	ca, caKey := newCA(t)
	g := &gateway{client: clientCert(t, ca, caKey, "parsec-client")}
	proxy := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: "http", Host: srv.Addr()})
	g.ts = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Api-Key") != gatewayKey {
			g.refused.Add(1)
			http.Error(w, "missing API key", http.StatusForbidden)
			return
		}
		if r.TLS != nil && len(r.TLS.PeerCertificates) > 0 {
			g.mu.Lock()
			g.peers = append(g.peers, r.TLS.PeerCertificates[0].Subject.CommonName)
			g.mu.Unlock()
		}
		g.upgrades.Add(1)
		proxy.ServeHTTP(w, r)
	}))
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	g.ts.TLS = &tls.Config{ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: pool}
	g.ts.Config.ErrorLog = log.New(g, "", 0)
	g.ts.StartTLS()
	t.Cleanup(g.ts.Close)
	g.roots = x509.NewCertPool()
	g.roots.AddCert(g.ts.Certificate())
	return g
}

func (g *gateway) url() string {
	return "wss://" + g.ts.Listener.Addr().String() + server.WebsocketPath
}

func newCA(t *testing.T) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "parsec test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return ca, key
}

func clientCert(t *testing.T, ca *x509.Certificate, caKey *ecdsa.PrivateKey, name string) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: name},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// TestWSThroughTLSGateway runs the WebSocket transport through a gateway
// that wants mutual TLS and an API key, with a custom dialer and
// centrifuge-go's log handler: the options reach every connection, and a
// transport without the certificate or the header does not get in.
func TestWSThroughTLSGateway(t *testing.T) {
	srv := startServer(t, server.Config{})
	g := startGateway(t, srv)

	var dials atomic.Int64
	dialer := func(ctx context.Context, network, addr string) (net.Conn, error) {
		dials.Add(1)
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}
	var logs atomic.Int64
	opts := []ws.Option{
		ws.WithTLSConfig(&tls.Config{RootCAs: g.roots, Certificates: []tls.Certificate{g.client}}),
		ws.WithHeader(http.Header{"X-Api-Key": {gatewayKey}}),
		ws.WithNetDialContext(dialer),
		ws.WithLogHandler(ws.LogLevelDebug, func(ws.LogEntry) { logs.Add(1) }),
		ws.WithWriteTimeout(2 * time.Second),
		ws.WithHandshakeTimeout(3 * time.Second),
	}
	tr := dialWS(t, srv, g.url(), "alice", opts...)
	ta, _ := subscribe(t, tr, "gated", client.SubscribeOptions{})
	// A second subscription to the same channel opens a second connection,
	// which must carry the same options.
	tb, _ := subscribe(t, tr, "gated", client.SubscribeOptions{})
	for i := 1; i <= 3; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err := tr.Publish(ctx, "gated", encodeTick(t, "gated", "p", i))
		cancel()
		if err != nil {
			t.Fatalf("publish %d through the gateway: %v", i, err)
		}
	}
	waitFor(t, 10*time.Second, "3 envelopes on both subscriptions through the gateway", func() bool {
		return ta.distinct("p") == 3 && tb.distinct("p") == 3
	})
	if n := g.upgrades.Load(); n != 2 {
		t.Errorf("gateway forwarded %d upgrades, want 2 (two connections)", n)
	}
	if n := dials.Load(); n < 2 {
		t.Errorf("the custom dialer opened %d connections, want at least 2", n)
	}
	g.mu.Lock()
	peers := strings.Join(g.peers, ",")
	g.mu.Unlock()
	if peers != "parsec-client,parsec-client" {
		t.Errorf("client certificates seen by the gateway: %q, want parsec-client twice", peers)
	}
	waitFor(t, 5*time.Second, "a centrifuge-go log entry", func() bool { return logs.Load() > 0 })

	// Without the API key the gateway refuses the upgrade.
	refusedBefore := g.refused.Load()
	noKey := notConnecting(t, g.url(), srv, opts[0], ws.WithNetDialContext(dialer))
	if g.refused.Load() == refusedBefore {
		t.Errorf("a transport without the header was not refused by the gateway: %v", noKey)
	}
	// Without the client certificate TLS fails before any request.
	upgradesBefore := g.upgrades.Load()
	notConnecting(t, g.url(), srv, ws.WithTLSConfig(&tls.Config{RootCAs: g.roots}), opts[1])
	if e := g.errors(); !strings.Contains(e, "client didn't provide a certificate") {
		t.Errorf("gateway handshake errors %q, want a missing client certificate", e)
	}
	// Without the gateway's root the server certificate is not trusted.
	notConnecting(t, g.url(), srv, ws.WithTLSConfig(&tls.Config{Certificates: []tls.Certificate{g.client}}), opts[1])
	if e := g.errors(); !strings.Contains(e, "bad certificate") {
		t.Errorf("gateway handshake errors %q, want the client to refuse the server certificate", e)
	}
	if n := g.upgrades.Load(); n != upgradesBefore {
		t.Errorf("the gateway forwarded %d upgrades for transports without a client certificate or without its root", n-upgradesBefore)
	}
}

// notConnecting checks that a transport with opts does not connect within a
// second, and returns the Connect error.
func notConnecting(t *testing.T, url string, srv *server.Server, opts ...ws.Option) error {
	t.Helper()
	all := append([]ws.Option{ws.WithTokenFunc(func(context.Context) (string, error) { return srv.Token("mallory", time.Hour) })},
		fastReconnect()...)
	tr, err := ws.New(url, append(all, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := tr.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	err = tr.Connect(ctx, "")
	if err == nil {
		t.Fatalf("a transport with %d options connected through the gateway", len(opts))
	}
	return err
}
