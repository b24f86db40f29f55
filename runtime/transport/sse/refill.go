package sse

import (
	"context"
	"fmt"
	"net/http"

	"github.com/parsec-gen/parsec-gen/runtime/client"
)

// refillHistory reads, through the server API, what the channel's history
// holds after since (everything when since is nil), with the offsets the
// stream needs to deduplicate and to count what history no longer holds.
func (t *Transport) refillHistory(ctx context.Context, channel string, since *streamPosition) ([]*publication, string, error) {
	var resp historyResponse
	if err := t.call(ctx, "history", historyRequest{Channel: channel, Limit: -1, Since: since}, &resp); err != nil {
		return nil, "", err
	}
	if resp.Error != nil {
		return nil, "", &APIError{Method: "history", Status: http.StatusOK, Code: resp.Error.Code, Message: resp.Error.Message}
	}
	if resp.Result == nil {
		return nil, "", fmt.Errorf("sse: api history: response has no result")
	}
	return resp.Result.Publications, resp.Result.Epoch, nil
}

// refill stands in for a recovery the server refused (history shorter than
// the absence, a replay above recovery_max_publication_limit, a new epoch):
// it reads what history still holds after the stream position and returns
// it for delivery, reporting EventSubscribed and, when part of the stream
// is gone, one EventUnrecoverable for exactly that part (-1 after an epoch
// change: the old epoch's tail is unknown; the new epoch is delivered from
// its oldest retained publication). It returns nil when history cannot be
// read (no APIKey, an API error): the caller then resumes at the server's
// position and reports the whole absence.
func (s *stream) refill(res subscribeResult) *recovery {
	if s.t.cfg.APIKey == "" || res.Epoch == "" {
		return nil
	}
	sameEpoch := s.known && (s.epoch == "" || s.epoch == res.Epoch)
	var since *streamPosition
	if sameEpoch {
		since = &streamPosition{Offset: s.offset, Epoch: res.Epoch}
	}
	pubs, epoch, err := s.t.refillHistory(s.ctx, s.channel, since)
	if err != nil || epoch != res.Epoch {
		if err == nil {
			err = fmt.Errorf("history epoch %q, subscription epoch %q", epoch, res.Epoch)
		}
		s.emit(client.StreamEvent{Kind: client.EventError, Err: fmt.Errorf("sse: channel %q: refill from history: %w", s.channel, err)})
		return nil
	}
	first := res.Offset + 1 // the next offset when history holds nothing
	for _, p := range pubs {
		if p != nil && (!sameEpoch || p.Offset > s.offset) {
			first = min(first, p.Offset)
			break
		}
	}
	start := client.StreamPosition{Offset: first - 1, Epoch: res.Epoch}
	s.emit(client.StreamEvent{Kind: client.EventSubscribed, Position: start})
	gap := s.cursor().Upto(first)
	switch {
	case !sameEpoch:
		s.emit(client.StreamEvent{Kind: client.EventUnrecoverable, Position: start, Missed: -1,
			Err: fmt.Errorf("sse: channel %q: epoch %q replaced by %q; delivering the new epoch from offset %d", s.channel, s.epoch, res.Epoch, first)})
	case !gap.Empty():
		s.emit(client.StreamEvent{Kind: client.EventUnrecoverable, Position: start, Missed: gap.Missed(),
			Err: fmt.Errorf("sse: channel %q: %w", s.channel, gap)})
	}
	s.epoch, s.offset, s.known = res.Epoch, start.Offset, true
	s.skipped = 0
	return &recovery{pubs: pubs, top: res.Offset}
}
