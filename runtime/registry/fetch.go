package registry

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// MaxBody caps how many bytes Fetch and Query read from a registry answer.
const MaxBody = 64 << 20

// StatusError is a registry answer other than 200 OK.
type StatusError struct {
	URL    string
	Status int
	// Message is the answer's {"error":...} text, else its start.
	Message string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("registry %s: %d %s: %s", e.URL, e.Status, http.StatusText(e.Status), e.Message)
}

// Get fetches u with c (http.DefaultClient when nil) and returns the body
// of a 200 answer. ctx bounds the whole exchange; give it a deadline.
func Get(ctx context.Context, c *http.Client, u string) ([]byte, error) {
	if c == nil {
		c = http.DefaultClient
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("registry %s: %w", u, err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return nil, fmt.Errorf("registry: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxBody+1))
	if err != nil {
		return nil, fmt.Errorf("registry %s: read answer: %w", u, err)
	}
	if len(body) > MaxBody {
		return nil, fmt.Errorf("registry %s: answer larger than %d bytes", u, MaxBody)
	}
	if resp.StatusCode != http.StatusOK {
		var eb ErrorBody
		msg := string(body[:min(len(body), 200)])
		if json.Unmarshal(body, &eb) == nil && eb.Error != "" {
			msg = eb.Error
		}
		return nil, &StatusError{URL: u, Status: resp.StatusCode, Message: msg}
	}
	return body, nil
}

// Fetch gets the snapshot served at u (the registry's prefix URL) and
// returns it with the bytes as served.
func Fetch(ctx context.Context, c *http.Client, u string) (*Snapshot, []byte, error) {
	body, err := Get(ctx, c, u)
	if err != nil {
		return nil, nil, err
	}
	var s Snapshot
	if err := json.Unmarshal(body, &s); err != nil {
		return nil, nil, fmt.Errorf("registry %s: snapshot: %w", u, err)
	}
	return &s, body, nil
}

// FetchHistory gets every version of pattern from the registry at u.
func FetchHistory(ctx context.Context, c *http.Client, u, pattern string) (*History, error) {
	q, err := withQuery(u, url.Values{"pattern": {pattern}, "history": {"true"}})
	if err != nil {
		return nil, err
	}
	body, err := Get(ctx, c, q)
	if err != nil {
		return nil, err
	}
	var h History
	if err := json.Unmarshal(body, &h); err != nil {
		return nil, fmt.Errorf("registry %s: history: %w", q, err)
	}
	return &h, nil
}

func withQuery(u string, v url.Values) (string, error) {
	p, err := url.Parse(u)
	if err != nil {
		return "", fmt.Errorf("registry %q: %w", u, err)
	}
	if p.RawQuery != "" {
		return "", errors.New("registry " + u + ": want the prefix URL without a query")
	}
	p.RawQuery = v.Encode()
	return p.String(), nil
}
