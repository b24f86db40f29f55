package server

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/centrifugal/centrifuge"
	"github.com/go-faster/jx"
)

// APIPath is the path prefix of the server HTTP API, the same as Centrifugo's:
// POST APIPath+"/publish", "/history" and "/presence" with the API key in the
// X-API-Key header.
const APIPath = "/api"

// maxAPIRequest bounds one HTTP API request body.
const maxAPIRequest = 16 << 20

// Centrifugo's API error codes that this API answers with.
const (
	apiErrInternal   = 100
	apiErrBadRequest = 107
)

// serveAPI answers the subset of Centrifugo's server HTTP API that
// runtime/transport/sse uses: publish, history and presence. Publication data
// goes into the node and comes back out byte for byte: responses are written
// around the stored bytes, never re-encoded (encoding/json would compact them
// and rewrite '<', '>' and '&').
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if key := r.Header.Get("X-API-Key"); key == "" || key != s.cfg.APIKey {
		if auth := r.Header.Get("Authorization"); auth != "apikey "+s.cfg.APIKey || s.cfg.APIKey == "" {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxAPIRequest+1))
	if err != nil {
		http.Error(w, "read request: "+err.Error(), http.StatusBadRequest)
		return
	}
	if len(body) > maxAPIRequest {
		http.Error(w, "request too large", http.StatusRequestEntityTooLarge)
		return
	}
	var out []byte
	switch method := strings.TrimPrefix(r.URL.Path, APIPath+"/"); method {
	case "publish":
		out = s.apiPublish(body)
	case "history":
		out = s.apiHistory(body)
	case "presence":
		out = s.apiPresence(body)
	default:
		http.Error(w, fmt.Sprintf("unknown API method %q", method), http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	// A write error means the caller went away; there is no one to tell.
	_, _ = w.Write(out)
}

func apiError(code int, format string, args ...any) []byte {
	var w jx.Writer
	w.RawStr(`{"error":{"code":`)
	w.Int(code)
	w.RawStr(`,"message":`)
	w.Str(fmt.Sprintf(format, args...))
	w.RawStr(`}}`)
	return w.Buf
}

func (s *Server) apiPublish(body []byte) []byte {
	var req struct {
		Channel        string          `json:"channel"`
		Data           json.RawMessage `json:"data"`
		IdempotencyKey string          `json:"idempotency_key"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return apiError(apiErrBadRequest, "bad request: %v", err)
	}
	if req.Channel == "" || len(req.Data) == 0 {
		return apiError(apiErrBadRequest, "bad request: channel and data are required")
	}
	opts := []centrifuge.PublishOption{centrifuge.WithHistory(s.cfg.HistorySize, s.cfg.HistoryTTL)}
	if req.IdempotencyKey != "" {
		opts = append(opts, centrifuge.WithIdempotencyKey(req.IdempotencyKey))
	}
	// json.Unmarshal copies a RawMessage verbatim: these are the bytes the
	// caller sent.
	res, err := s.node.Publish(req.Channel, req.Data, opts...)
	if err != nil {
		return apiError(apiErrInternal, "publish: %v", err)
	}
	var w jx.Writer
	w.RawStr(`{"result":{"offset":`)
	w.UInt64(res.Offset)
	w.RawStr(`,"epoch":`)
	w.Str(res.Epoch)
	w.RawStr(`}}`)
	return w.Buf
}

func (s *Server) apiHistory(body []byte) []byte {
	var req struct {
		Channel string `json:"channel"`
		Limit   int    `json:"limit"`
		Since   *struct {
			Offset uint64 `json:"offset"`
			Epoch  string `json:"epoch"`
		} `json:"since"`
		Reverse bool `json:"reverse"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return apiError(apiErrBadRequest, "bad request: %v", err)
	}
	if req.Channel == "" {
		return apiError(apiErrBadRequest, "bad request: channel is required")
	}
	opts := []centrifuge.HistoryOption{centrifuge.WithLimit(req.Limit), centrifuge.WithReverse(req.Reverse)}
	if req.Since != nil {
		opts = append(opts, centrifuge.WithSince(&centrifuge.StreamPosition{Offset: req.Since.Offset, Epoch: req.Since.Epoch}))
	}
	res, err := s.node.History(req.Channel, opts...)
	if err != nil {
		return apiError(apiErrInternal, "history: %v", err)
	}
	var w jx.Writer
	w.RawStr(`{"result":{"publications":[`)
	for i, p := range res.Publications {
		if i > 0 {
			w.Comma()
		}
		w.RawStr(`{"data":`)
		w.Raw(p.Data)
		w.RawStr(`,"offset":`)
		w.UInt64(p.Offset)
		if p.Info != nil {
			w.RawStr(`,"info":`)
			writeClientInfo(&w, p.Info)
		}
		w.RawStr(`}`)
	}
	w.RawStr(`],"epoch":`)
	w.Str(res.Epoch)
	w.RawStr(`,"offset":`)
	w.UInt64(res.Offset)
	w.RawStr(`}}`)
	return w.Buf
}

func (s *Server) apiPresence(body []byte) []byte {
	var req struct {
		Channel string `json:"channel"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return apiError(apiErrBadRequest, "bad request: %v", err)
	}
	if req.Channel == "" {
		return apiError(apiErrBadRequest, "bad request: channel is required")
	}
	res, err := s.node.Presence(req.Channel)
	if err != nil {
		return apiError(apiErrInternal, "presence: %v", err)
	}
	var w jx.Writer
	ids := slices.Sorted(maps.Keys(res.Presence))
	w.RawStr(`{"result":{"presence":{`)
	for i, id := range ids {
		if i > 0 {
			w.Comma()
		}
		w.Str(id)
		w.RawStr(`:`)
		writeClientInfo(&w, res.Presence[id])
	}
	w.RawStr(`}}}`)
	return w.Buf
}

// writeClientInfo writes info as Centrifugo does: user, client and, when
// set, conn_info and chan_info as the raw JSON they were given.
func writeClientInfo(w *jx.Writer, info *centrifuge.ClientInfo) {
	w.RawStr(`{"user":`)
	w.Str(info.UserID)
	w.RawStr(`,"client":`)
	w.Str(info.ClientID)
	if len(info.ConnInfo) > 0 {
		w.RawStr(`,"conn_info":`)
		w.Raw(info.ConnInfo)
	}
	if len(info.ChanInfo) > 0 {
		w.RawStr(`,"chan_info":`)
		w.Raw(info.ChanInfo)
	}
	w.RawStr(`}`)
}
