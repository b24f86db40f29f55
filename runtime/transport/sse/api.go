package sse

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/parsec-gen/parsec-gen/runtime/client"
	"github.com/parsec-gen/parsec-gen/runtime/internal/transportkit"
)

// maxAPIResponse bounds the size of one server API response body.
const maxAPIResponse = 64 << 20

// APIError is an error returned by the server HTTP API, either in the
// response body (Code set) or as an HTTP status (Status set).
type APIError struct {
	// Method is the API method, for example "publish".
	Method string
	// Status is the HTTP status code when it was not 200.
	Status int
	// Code and Message are the server's error when it answered 200 with an
	// error object.
	Code    uint32
	Message string
}

// Error implements error.
func (e *APIError) Error() string {
	if e.Status != 0 && e.Status != http.StatusOK {
		return fmt.Sprintf("sse: api %s: http status %d: %s", e.Method, e.Status, e.Message)
	}
	return fmt.Sprintf("sse: api %s: error %d: %s", e.Method, e.Code, e.Message)
}

// temporary reports whether retrying the same call may succeed.
func (e *APIError) temporary() bool {
	switch {
	case e.Status >= 500, e.Status == http.StatusTooManyRequests, e.Status == http.StatusRequestTimeout:
		return true
	case e.Status != 0 && e.Status != http.StatusOK:
		return false
	}
	// Centrifugo codes: 100 internal error, 111 too many requests.
	return e.Code == 100 || e.Code == 111
}

// call posts req to the API method and decodes the answer into resp. It makes
// one attempt bounded by RequestTimeout.
func (t *Transport) call(ctx context.Context, method string, req, resp any) error {
	body, err := json.Marshal(req)
	if err != nil {
		return fmt.Errorf("sse: api %s: encode request: %w", method, err)
	}
	return t.post(ctx, method, body, resp)
}

// post sends body, a complete JSON request, to the API method and decodes the
// answer into resp. It makes one attempt bounded by RequestTimeout.
func (t *Transport) post(ctx context.Context, method string, body []byte, resp any) error {
	ctx, cancel := context.WithTimeout(ctx, t.cfg.RequestTimeout)
	defer cancel()
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, t.endpoint(t.cfg.APIPath+"/"+method), bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("sse: api %s: %w", method, err)
	}
	hreq.Header.Set("Content-Type", "application/json")
	if t.cfg.APIKey != "" {
		hreq.Header.Set("X-API-Key", t.cfg.APIKey)
	}
	hresp, err := t.hc.Do(hreq)
	if err != nil {
		return fmt.Errorf("sse: api %s: %w", method, err)
	}
	defer closeBody(hresp.Body)
	data, err := io.ReadAll(io.LimitReader(hresp.Body, maxAPIResponse+1))
	if err != nil {
		return fmt.Errorf("sse: api %s: read response: %w", method, err)
	}
	if hresp.StatusCode != http.StatusOK {
		return &APIError{Method: method, Status: hresp.StatusCode, Message: snippet(data)}
	}
	if len(data) > maxAPIResponse {
		return fmt.Errorf("sse: api %s: response exceeds %d bytes", method, maxAPIResponse)
	}
	if err := json.Unmarshal(data, resp); err != nil {
		return fmt.Errorf("sse: api %s: decode response %q: %w", method, snippet(data), err)
	}
	return nil
}

// closeBody drains a little of an HTTP body so the connection can be reused,
// then closes it. Errors are irrelevant here: the response was read already
// or is being abandoned.
func closeBody(b io.ReadCloser) {
	_, _ = io.CopyN(io.Discard, b, 4<<10) // best effort, see above
	_ = b.Close()                         // best effort, see above
}

func snippet(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return s
}

// isClosed reports ErrClosed when the transport was closed.
func (t *Transport) isClosed() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return ErrClosed
	}
	return nil
}

// Publish sends data, which must be one JSON value (an encoded envelope), to
// channel through the server API. Transient failures (network errors, 5xx,
// server overload) are retried up to PublishAttempts times with the same
// idempotency key, so a publication is stored at most once.
func (t *Transport) Publish(ctx context.Context, channel string, data []byte) error {
	if err := t.isClosed(); err != nil {
		return err
	}
	if channel == "" {
		return errors.New("sse: publish: channel is empty")
	}
	if !json.Valid(data) {
		return fmt.Errorf("sse: publish to %q: data is not valid JSON", channel)
	}
	key, err := idempotencyKey()
	if err != nil {
		return fmt.Errorf("sse: publish to %q: %w", channel, err)
	}
	body, err := publishBody(channel, data, key)
	if err != nil {
		return fmt.Errorf("sse: publish to %q: %w", channel, err)
	}
	var last error
	for attempt := range t.cfg.PublishAttempts {
		if attempt > 0 {
			if err := transportkit.Sleep(ctx, t.backoff(attempt-1)); err != nil {
				return fmt.Errorf("sse: publish to %q: %w (last error: %v)", channel, err, last)
			}
		}
		var resp publishResponse
		err := t.post(ctx, "publish", body, &resp)
		if err == nil && resp.Error != nil {
			err = &APIError{Method: "publish", Status: http.StatusOK, Code: resp.Error.Code, Message: resp.Error.Message}
		}
		if err == nil {
			return nil
		}
		last = err
		if ctx.Err() != nil {
			return fmt.Errorf("sse: publish to %q: %w", channel, err)
		}
		var apiErr *APIError
		if errors.As(err, &apiErr) && !apiErr.temporary() {
			return fmt.Errorf("sse: publish to %q: %w", channel, err)
		}
	}
	return fmt.Errorf("sse: publish to %q: gave up after %d attempts: %w", channel, t.cfg.PublishAttempts, last)
}

// publishBody is the publish request for data, with data copied in verbatim.
// encoding/json would compact data and rewrite '<', '>' and '&' as \u escapes
// (json.RawMessage goes through the same HTML-escaping compaction as any
// Marshaler): subscribers would then receive other bytes than the publisher
// encoded, and an envelope full of '<' would grow six-fold past their size
// limit.
func publishBody(channel string, data []byte, key string) ([]byte, error) {
	ch, err := json.Marshal(channel)
	if err != nil {
		return nil, fmt.Errorf("encode channel: %w", err)
	}
	k, err := json.Marshal(key)
	if err != nil {
		return nil, fmt.Errorf("encode idempotency key: %w", err)
	}
	b := make([]byte, 0, len(`{"channel":,"data":,"idempotency_key":}`)+len(ch)+len(data)+len(k))
	b = append(b, `{"channel":`...)
	b = append(b, ch...)
	b = append(b, `,"data":`...)
	b = append(b, data...)
	b = append(b, `,"idempotency_key":`...)
	b = append(b, k...)
	return append(b, '}'), nil
}

func idempotencyKey() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("idempotency key: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

// History returns the stored envelopes of channel, oldest first. Since
// (exclusive) and Until (inclusive) bound stream offsets; Limit keeps the
// most recent ones.
func (t *Transport) History(ctx context.Context, channel string, opts client.HistoryOptions) ([][]byte, error) {
	if err := t.isClosed(); err != nil {
		return nil, err
	}
	if channel == "" {
		return nil, errors.New("sse: history: channel is empty")
	}
	if err := opts.Validate(); err != nil {
		return nil, fmt.Errorf("sse: history of %q: %w", channel, err)
	}
	req := historyRequest{Channel: channel, Limit: -1}
	reversed := false
	switch {
	case opts.NewestOnly():
		// The server returns the newest first in reverse mode: the cheap way
		// to get "the most recent N".
		req.Limit, req.Reverse, reversed = int32(min(opts.Limit, 1<<30)), true, true
	case opts.Since > 0:
		req.Since = &streamPosition{Offset: uint64(opts.Since - 1)}
	}
	var resp historyResponse
	if err := t.call(ctx, "history", req, &resp); err != nil {
		return nil, fmt.Errorf("sse: history of %q: %w", channel, err)
	}
	if resp.Error != nil {
		return nil, fmt.Errorf("sse: history of %q: %w", channel,
			&APIError{Method: "history", Status: http.StatusOK, Code: resp.Error.Code, Message: resp.Error.Message})
	}
	if resp.Result == nil {
		return nil, fmt.Errorf("sse: history of %q: response has no result", channel)
	}
	pubs := resp.Result.Publications
	if reversed {
		slices.Reverse(pubs)
	}
	out := make([][]byte, 0, len(pubs))
	for _, p := range pubs {
		if p != nil && opts.Contains(p.Offset) {
			out = append(out, []byte(p.Data))
		}
	}
	return opts.Trim(out), nil
}

// Presence lists the clients subscribed to channel, ordered by client ID. The
// channel's namespace must enable presence.
func (t *Transport) Presence(ctx context.Context, channel string) ([]client.PresenceEntry, error) {
	if err := t.isClosed(); err != nil {
		return nil, err
	}
	if channel == "" {
		return nil, errors.New("sse: presence: channel is empty")
	}
	var resp presenceResponse
	if err := t.call(ctx, "presence", presenceRequest{Channel: channel}, &resp); err != nil {
		return nil, fmt.Errorf("sse: presence of %q: %w", channel, err)
	}
	if resp.Error != nil {
		return nil, fmt.Errorf("sse: presence of %q: %w", channel,
			&APIError{Method: "presence", Status: http.StatusOK, Code: resp.Error.Code, Message: resp.Error.Message})
	}
	if resp.Result == nil {
		return nil, fmt.Errorf("sse: presence of %q: response has no result", channel)
	}
	out := make([]client.PresenceEntry, 0, len(resp.Result.Presence))
	for id, info := range resp.Result.Presence {
		if info.Client == "" {
			info.Client = id
		}
		out = append(out, client.PresenceEntry{UserID: info.User, ClientID: info.Client, ConnInfo: info.ConnInfo})
	}
	slices.SortFunc(out, func(a, b client.PresenceEntry) int { return strings.Compare(a.ClientID, b.ClientID) })
	return out, nil
}
