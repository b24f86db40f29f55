package server

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	centrifugego "github.com/centrifugal/centrifuge-go"
	"github.com/parsec-gen/parsec-gen/runtime/client"
	"github.com/parsec-gen/parsec-gen/runtime/transport/sse"
)

// The HTTP API keeps publication data byte for byte, as Centrifugo does, so
// runtime/transport/sse works against the embedded server for publish,
// history and presence.
func TestAPIPublishHistoryPresence(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	srv := startTestServer(t)
	tr, err := sse.New(sse.Config{URL: srv.HTTPURL(), APIKey: srv.APIKey()})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := tr.Close(); err != nil {
			t.Error(err)
		}
	}()
	// A subscriber on the WebSocket side, with connection info.
	const info = `{"name":"<Carol & co>"}`
	tok, err := srv.TokenWithClaims(TokenClaims{User: "carol", Info: []byte(info)})
	if err != nil {
		t.Fatal(err)
	}
	c := centrifugego.NewJsonClient(srv.URL(), centrifugego.Config{Token: tok})
	defer c.Close()
	sub, err := c.NewSubscription("news", centrifugego.SubscriptionConfig{})
	if err != nil {
		t.Fatal(err)
	}
	subscribed := make(chan struct{}, 1)
	sub.OnSubscribed(func(centrifugego.SubscribedEvent) { subscribed <- struct{}{} })
	if err := c.Connect(); err != nil {
		t.Fatal(err)
	}
	if err := sub.Subscribe(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-subscribed:
	case <-ctx.Done():
		t.Fatal("not subscribed")
	}

	data := []byte(`{"html":"<p>&amp;</p>", "spaced" : [1, 2]}`)
	if err := tr.Publish(ctx, "news", data); err != nil {
		t.Fatal(err)
	}
	hist, err := tr.History(ctx, "news", client.HistoryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 1 || string(hist[0]) != string(data) {
		t.Errorf("history = %q, want exactly [%q]", hist, data)
	}
	pres, err := tr.Presence(ctx, "news")
	if err != nil {
		t.Fatal(err)
	}
	if len(pres) != 1 || pres[0].UserID != "carol" || string(pres[0].ConnInfo) != info {
		t.Errorf("presence = %+v, want carol with conn_info %s", pres, info)
	}

	bad, err := sse.New(sse.Config{URL: srv.HTTPURL(), APIKey: "wrong", PublishAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := bad.Close(); err != nil {
			t.Error(err)
		}
	}()
	var apiErr *sse.APIError
	if err := bad.Publish(ctx, "news", data); !errors.As(err, &apiErr) || apiErr.Status != http.StatusUnauthorized {
		t.Errorf("publish with a wrong key: %v, want HTTP 401", err)
	}
	if err := tr.Publish(ctx, "", data); err == nil {
		t.Error("publish without channel: want an error")
	}
	if hist, err := tr.History(ctx, "news", client.HistoryOptions{Since: 2}); err != nil || len(hist) != 0 {
		t.Errorf("history since offset 2: %q, %v; want none", hist, err)
	}
}
