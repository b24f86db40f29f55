package sse

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/parsec-gen/parsec-gen/runtime/client"
)

// fakeAPI answers /api/<method> with handle's status and body, after
// checking the API key and recording the request.
type fakeAPI struct {
	mu     sync.Mutex
	calls  []apiCall
	handle func(n int, c apiCall) (int, string)
}

type apiCall struct {
	Method string
	Body   map[string]any
	Raw    []byte // the request body as sent
}

func newFakeAPI(t *testing.T, handle func(n int, c apiCall) (int, string)) (*fakeAPI, string) {
	f := &fakeAPI{handle: handle}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-API-Key") != "k" {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		method, ok := strings.CutPrefix(r.URL.Path, "/api/")
		if !ok || r.Method != http.MethodPost {
			http.Error(w, "not found", http.StatusNotFound)
			return
		}
		data, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		c := apiCall{Method: method, Raw: data}
		if err := json.Unmarshal(data, &c.Body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		f.mu.Lock()
		n := len(f.calls)
		f.calls = append(f.calls, c)
		f.mu.Unlock()
		status, body := f.handle(n, c)
		w.WriteHeader(status)
		fmt.Fprint(w, body)
	}))
	t.Cleanup(srv.Close)
	return f, srv.URL
}

func (f *fakeAPI) recorded() []apiCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]apiCall(nil), f.calls...)
}

func apiTransport(t *testing.T, url string) *Transport {
	return newTestTransport(t, url, func(c *Config) { c.APIKey = "k" })
}

func TestPublishRetriesWithOneIdempotencyKey(t *testing.T) {
	f, url := newFakeAPI(t, func(n int, c apiCall) (int, string) {
		switch n {
		case 0:
			return http.StatusServiceUnavailable, "node is shutting down"
		case 1:
			return http.StatusOK, `{"error":{"code":100,"message":"internal server error"}}`
		}
		return http.StatusOK, `{"result":{"offset":1,"epoch":"e"}}`
	})
	tr := apiTransport(t, url)
	if err := tr.Publish(context.Background(), "parsec:a", []byte(`{"i":1}`)); err != nil {
		t.Fatal(err)
	}
	calls := f.recorded()
	if len(calls) != 3 {
		t.Fatalf("attempts = %d, want 3", len(calls))
	}
	key := calls[0].Body["idempotency_key"]
	for i, c := range calls {
		if c.Body["idempotency_key"] != key || key == "" || key == nil {
			t.Errorf("attempt %d idempotency key = %v, want the first attempt's %v", i, c.Body["idempotency_key"], key)
		}
		if diff := cmp.Diff(map[string]any{"i": float64(1)}, c.Body["data"]); diff != "" {
			t.Errorf("attempt %d data (-want +got):\n%s", i, diff)
		}
	}
	// A second Publish is a different publication: a new key.
	if err := tr.Publish(context.Background(), "parsec:a", []byte(`{"i":2}`)); err != nil {
		t.Fatal(err)
	}
	if calls = f.recorded(); calls[3].Body["idempotency_key"] == key {
		t.Error("two publications share an idempotency key")
	}
}

// The envelope reaches the server byte for byte: no HTML escaping of '<',
// '>', '&' (and U+2028/U+2029), no compaction of its whitespace.
func TestPublishSendsDataVerbatim(t *testing.T) {
	f, url := newFakeAPI(t, func(int, apiCall) (int, string) {
		return http.StatusOK, `{"result":{"offset":1,"epoch":"e"}}`
	})
	tr := apiTransport(t, url)
	data := []byte(`{"channel":"a<b>&c", "payload": {"html":"<p>&amp;</p>\u003c","sep":" "} }`)
	if err := tr.Publish(context.Background(), "parsec:<&>", data); err != nil {
		t.Fatal(err)
	}
	calls := f.recorded()
	if len(calls) != 1 {
		t.Fatalf("calls = %d, want 1", len(calls))
	}
	var req struct {
		Channel string          `json:"channel"`
		Data    json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(calls[0].Raw, &req); err != nil {
		t.Fatalf("request %s: %v", calls[0].Raw, err)
	}
	if string(req.Data) != string(data) {
		t.Errorf("data on the wire:\n%s\nwant the published bytes:\n%s", req.Data, data)
	}
	if req.Channel != "parsec:<&>" {
		t.Errorf("channel = %q, want %q", req.Channel, "parsec:<&>")
	}
}

func TestPublishErrors(t *testing.T) {
	f, url := newFakeAPI(t, func(n int, c apiCall) (int, string) {
		if c.Body["channel"] == "down" {
			return http.StatusBadGateway, "bad gateway"
		}
		return http.StatusOK, `{"error":{"code":102,"message":"unknown channel"}}`
	})
	tr := apiTransport(t, url)
	ctx := context.Background()

	err := tr.Publish(ctx, "nons:a", []byte(`{}`))
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Code != 102 || !strings.Contains(err.Error(), `publish to "nons:a"`) {
		t.Fatalf("Publish = %v, want APIError 102 naming the channel", err)
	}
	if n := len(f.recorded()); n != 1 {
		t.Errorf("a permanent error was tried %d times, want 1", n)
	}

	err = tr.Publish(ctx, "down", []byte(`{}`))
	if !errors.As(err, &apiErr) || apiErr.Status != http.StatusBadGateway || !strings.Contains(err.Error(), "gave up after 3 attempts") {
		t.Fatalf("Publish = %v, want giving up after 3 attempts on 502", err)
	}

	if err := tr.Publish(ctx, "parsec:a", []byte(`{"cut":`)); err == nil || !strings.Contains(err.Error(), "not valid JSON") {
		t.Fatalf("Publish of invalid JSON = %v, want a clear error", err)
	}
	if err := tr.Publish(ctx, "", []byte(`{}`)); err == nil || !strings.Contains(err.Error(), "channel is empty") {
		t.Fatalf("Publish to empty channel = %v", err)
	}

	noKey := newTestTransport(t, url, nil)
	if err := noKey.Publish(ctx, "parsec:a", []byte(`{}`)); !errors.As(err, &apiErr) || apiErr.Status != http.StatusUnauthorized {
		t.Fatalf("Publish without API key = %v, want http 401", err)
	}
}

func TestPublishHonoursContext(t *testing.T) {
	_, url := newFakeAPI(t, func(n int, c apiCall) (int, string) { return http.StatusServiceUnavailable, "busy" })
	tr := newTestTransport(t, url, func(c *Config) {
		c.APIKey = "k"
		c.ReconnectDelayMin, c.ReconnectDelayMax = time.Hour, time.Hour
	})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	err := tr.Publish(ctx, "parsec:a", []byte(`{}`))
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "busy") {
		t.Fatalf("Publish = %v, want the deadline and the last error", err)
	}
}

func TestHistoryQueries(t *testing.T) {
	// The server holds offsets 1..6 with payload {"i":offset}.
	f, url := newFakeAPI(t, func(n int, c apiCall) (int, string) {
		var pubs []string
		var since uint64
		if s, ok := c.Body["since"].(map[string]any); ok {
			since = uint64(s["offset"].(float64))
		}
		limit := int(c.Body["limit"].(float64))
		reverse, _ := c.Body["reverse"].(bool)
		for i := uint64(1); i <= 6; i++ {
			o := i
			if reverse {
				o = 7 - i
			}
			if o <= since || (limit >= 0 && len(pubs) == limit) {
				continue
			}
			pubs = append(pubs, fmt.Sprintf(`{"data":{"i":%d},"offset":%d}`, o, o))
		}
		return http.StatusOK, `{"result":{"publications":[` + strings.Join(pubs, ",") + `],"epoch":"e","offset":6}}`
	})
	tr := apiTransport(t, url)
	tests := []struct {
		opts client.HistoryOptions
		want []uint64
	}{
		{client.HistoryOptions{}, seq(1, 6)},
		{client.HistoryOptions{Limit: 2}, seq(5, 6)},
		{client.HistoryOptions{Since: 3}, seq(4, 6)},
		{client.HistoryOptions{Since: 2, Until: 4}, seq(3, 4)},
		{client.HistoryOptions{Until: 4, Limit: 2}, seq(3, 4)},
		{client.HistoryOptions{Since: 2, Limit: 1}, seq(6, 6)},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%+v", tc.opts), func(t *testing.T) {
			got, err := tr.History(context.Background(), "parsec:a", tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			var offsets []uint64
			for _, b := range got {
				var p struct{ I uint64 }
				if err := json.Unmarshal(b, &p); err != nil {
					t.Fatal(err)
				}
				offsets = append(offsets, p.I)
			}
			if !cmp.Equal(offsets, tc.want) {
				t.Errorf("History(%+v) = %v, want %v", tc.opts, offsets, tc.want)
			}
		})
	}
	if len(f.recorded()) != len(tests) {
		t.Errorf("calls = %d, want one per query", len(f.recorded()))
	}
	if _, err := tr.History(context.Background(), "parsec:a", client.HistoryOptions{Limit: -1}); err == nil {
		t.Error("negative limit accepted")
	}
}

func TestPresence(t *testing.T) {
	_, url := newFakeAPI(t, func(n int, c apiCall) (int, string) {
		if c.Body["channel"] == "nopresence:a" {
			return http.StatusOK, `{"error":{"code":108,"message":"not available"}}`
		}
		return http.StatusOK, `{"result":{"presence":{"c2":{"user":"u2","client":"c2"},"c1":{"user":"u1","client":"c1","conn_info":{"n":1}}}}}`
	})
	tr := apiTransport(t, url)
	got, err := tr.Presence(context.Background(), "parsec:a")
	if err != nil {
		t.Fatal(err)
	}
	want := []client.PresenceEntry{{UserID: "u1", ClientID: "c1", ConnInfo: []byte(`{"n":1}`)}, {UserID: "u2", ClientID: "c2"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("presence (-want +got):\n%s", diff)
	}
	var apiErr *APIError
	if _, err := tr.Presence(context.Background(), "nopresence:a"); !errors.As(err, &apiErr) || apiErr.Code != 108 {
		t.Errorf("Presence = %v, want APIError 108", err)
	}
}
