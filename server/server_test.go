package server

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	centrifugego "github.com/centrifugal/centrifuge-go"
)

func TestTokenRoundTrip(t *testing.T) {
	secret := []byte("s3cret")
	now := time.Unix(1_700_000_000, 0)
	tok, err := SignToken(secret, "alice", time.Minute, now)
	if err != nil {
		t.Fatal(err)
	}
	c, err := verifyToken(secret, tok, now)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if c.Sub != "alice" || c.Exp != now.Add(time.Minute).Unix() {
		t.Fatalf("claims = %+v", c)
	}
	if _, err := verifyToken(secret, tok, now.Add(time.Minute)); err != errExpired {
		t.Fatalf("at expiry: err = %v, want errExpired", err)
	}
	if _, err := verifyToken([]byte("other"), tok, now); err == nil || !strings.Contains(err.Error(), "signature") {
		t.Fatalf("wrong secret: err = %v", err)
	}
}

func TestTokenRejectsForgeries(t *testing.T) {
	secret := []byte("s3cret")
	tok, err := SignToken(secret, "alice", 0, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(tok, ".")
	none := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none"}`))
	other := base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"mallory"}`))
	for name, bad := range map[string]string{
		"alg none":       none + "." + parts[1] + ".",
		"swapped claims": parts[0] + "." + other + "." + parts[2],
		"two parts":      parts[0] + "." + parts[1],
		"bad base64":     parts[0] + ".!!." + parts[2],
		"empty":          "",
	} {
		if _, err := verifyToken(secret, bad, time.Now()); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
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
	srv, err := Start(ctx, Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := srv.Close(context.Background()); err != nil {
			t.Error(err)
		}
	}()
	tok, err := srv.Token("bob", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	c := centrifugego.NewJsonClient(srv.URL(), centrifugego.Config{Token: tok})
	defer c.Close()
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
}

func TestServerRejectsBadToken(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	srv, err := Start(ctx, Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := srv.Close(context.Background()); err != nil {
			t.Error(err)
		}
	}()
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
