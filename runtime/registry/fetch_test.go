package registry

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestFetch(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Query().Get("history") == "true" && r.URL.Query().Get("pattern") == "sessions:{id}":
			w.Write([]byte(wireHistory))
		case r.URL.RawQuery == "":
			w.Write([]byte(wireSnapshot))
		default:
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"error":"no such pattern"}`))
		}
	}))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	s, raw, err := Fetch(ctx, nil, srv.URL)
	if err != nil || len(s.Patterns) != 1 || s.Patterns[0].Version != 3 || string(raw) != wireSnapshot {
		t.Fatalf("Fetch = %+v, %q, %v", s, raw, err)
	}
	h, err := FetchHistory(ctx, nil, srv.URL, "sessions:{id}")
	if err != nil || h.Pattern != "sessions:{id}" || len(h.History) != 1 {
		t.Fatalf("FetchHistory = %+v, %v", h, err)
	}
	_, err = FetchHistory(ctx, nil, srv.URL, "nope")
	var se *StatusError
	if !errors.As(err, &se) || se.Status != http.StatusNotFound || se.Message != "no such pattern" {
		t.Fatalf("FetchHistory(nope) error = %v, want a 404 StatusError with the server's message", err)
	}
}
