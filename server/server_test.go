package server

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	centrifugego "github.com/centrifugal/centrifuge-go"
)

// startTestServer starts a server with the default configuration and closes
// it when the test ends.
func startTestServer(t *testing.T) *Server {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	srv, err := Start(ctx, Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := srv.Close(context.Background()); err != nil {
			t.Error(err)
		}
	})
	return srv
}

func TestStartRejectsNonLoopback(t *testing.T) {
	_, err := Start(context.Background(), Config{Addr: "0.0.0.0:0"})
	if err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Fatalf("err = %v, want a loopback error", err)
	}
}

func TestServerDeliversWithRecoveryPositions(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	srv := startTestServer(t)
	const info = `{"name":"Bob","tags":["<b>"]}`
	tok, err := srv.TokenWithClaims(TokenClaims{User: "bob", ExpiresAt: time.Now().Add(time.Minute), Info: []byte(info)})
	if err != nil {
		t.Fatal(err)
	}
	c := centrifugego.NewJsonClient(srv.URL(), centrifugego.Config{Token: tok})
	defer c.Close()
	var clientID atomic.Value
	c.OnConnected(func(e centrifugego.ConnectedEvent) { clientID.Store(e.ClientID) })
	sub, err := c.NewSubscription("news", centrifugego.SubscriptionConfig{Recoverable: true, Positioned: true})
	if err != nil {
		t.Fatal(err)
	}
	subscribed := make(chan centrifugego.SubscribedEvent, 1)
	got := make(chan centrifugego.PublicationEvent, 4)
	sub.OnSubscribed(func(e centrifugego.SubscribedEvent) { subscribed <- e })
	sub.OnPublication(func(e centrifugego.PublicationEvent) { got <- e })
	if err := c.Connect(); err != nil {
		t.Fatal(err)
	}
	if err := sub.Subscribe(); err != nil {
		t.Fatal(err)
	}
	select {
	case e := <-subscribed:
		if !e.Recoverable || e.StreamPosition == nil || e.StreamPosition.Epoch == "" {
			t.Fatalf("subscribed event %+v: want a recoverable position", e)
		}
	case <-ctx.Done():
		t.Fatal("not subscribed")
	}
	if _, err := sub.Publish(ctx, []byte(`{"n":1}`)); err != nil {
		t.Fatalf("client publish: %v", err)
	}
	off, _, err := srv.Publish("news", []byte(`{"n":2}`))
	if err != nil || off != 2 {
		t.Fatalf("server publish: offset %d, err %v; want offset 2", off, err)
	}
	for want := uint64(1); want <= 2; want++ {
		select {
		case p := <-got:
			if p.Offset != want {
				t.Fatalf("publication offset %d, want %d", p.Offset, want)
			}
			// As on Centrifugo: a client's publication carries the
			// publisher's info; a server-side one carries none.
			id, _ := clientID.Load().(string)
			switch pi := p.Info; {
			case want == 1 && (pi == nil || pi.User != "bob" || pi.Client != id || id == "" || string(pi.ConnInfo) != info):
				t.Errorf("client publication info = %+v, want user bob, client %q, conn_info %s", pi, id, info)
			case want == 2 && pi != nil:
				t.Errorf("server publication info = %+v, want none", pi)
			}
		case <-ctx.Done():
			t.Fatalf("publication %d not delivered", want)
		}
	}
	hist, err := c.History(ctx, "news", centrifugego.WithHistoryLimit(10))
	if err != nil || len(hist.Publications) != 2 {
		t.Fatalf("history: %d publications, err %v; want 2", len(hist.Publications), err)
	}
	pres, err := c.Presence(ctx, "news")
	if err != nil || len(pres.Clients) != 1 {
		t.Fatalf("presence: %v, err %v; want one client", pres.Clients, err)
	}
	id, _ := clientID.Load().(string)
	if ci := pres.Clients[id]; ci.User != "bob" || string(ci.ConnInfo) != info {
		t.Errorf("presence entry = %+v, want user bob with conn_info %s", ci, info)
	}
}

func TestServerRejectsBadToken(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	srv := startTestServer(t)
	tok, err := SignToken([]byte("not the server's"), "eve", time.Minute, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	c := centrifugego.NewJsonClient(srv.URL(), centrifugego.Config{Token: tok})
	defer c.Close()
	disconnected := make(chan centrifugego.DisconnectedEvent, 1)
	c.OnDisconnected(func(e centrifugego.DisconnectedEvent) { disconnected <- e })
	if err := c.Connect(); err != nil {
		t.Fatal(err)
	}
	select {
	case e := <-disconnected:
		if e.Code != 3500 { // DisconnectInvalidToken
			t.Fatalf("disconnect code %d (%s), want 3500", e.Code, e.Reason)
		}
	case <-ctx.Done():
		t.Fatal("client with a forged token was not disconnected")
	}
}
