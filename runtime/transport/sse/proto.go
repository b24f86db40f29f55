package sse

import "encoding/json"

// The JSON shapes below are the parts of Centrifugo's client protocol (v2,
// unidirectional form) and server HTTP API that this transport reads and
// writes. Field names follow github.com/centrifugal/protocol.

// connectRequest is sent as the body of the uni_sse POST request.
type connectRequest struct {
	Token   string                      `json:"token,omitempty"`
	Name    string                      `json:"name,omitempty"`
	Version string                      `json:"version,omitempty"`
	Subs    map[string]subscribeRequest `json:"subs,omitempty"`
}

// subscribeRequest asks for a server-side subscription, optionally resuming
// after a stream position.
type subscribeRequest struct {
	Recover bool   `json:"recover,omitempty"`
	Epoch   string `json:"epoch,omitempty"`
	Offset  uint64 `json:"offset,omitempty"`
}

// push is one frame of the unidirectional stream. An empty object is a ping.
type push struct {
	Channel     string           `json:"channel,omitempty"`
	Pub         *publication     `json:"pub,omitempty"`
	Connect     *connectPush     `json:"connect,omitempty"`
	Disconnect  *disconnectPush  `json:"disconnect,omitempty"`
	Unsubscribe *unsubscribePush `json:"unsubscribe,omitempty"`
	Subscribe   *subscribeResult `json:"subscribe,omitempty"`
}

type publication struct {
	Data   json.RawMessage `json:"data,omitempty"`
	Offset uint64          `json:"offset,omitempty"`
}

type connectPush struct {
	Client string                     `json:"client,omitempty"`
	Subs   map[string]subscribeResult `json:"subs,omitempty"`
	// Ping is the server's ping interval in seconds; 0 when disabled.
	Ping uint32 `json:"ping,omitempty"`
}

type subscribeResult struct {
	Recoverable   bool           `json:"recoverable,omitempty"`
	Positioned    bool           `json:"positioned,omitempty"`
	Epoch         string         `json:"epoch,omitempty"`
	Offset        uint64         `json:"offset,omitempty"`
	Publications  []*publication `json:"publications,omitempty"`
	Recovered     bool           `json:"recovered,omitempty"`
	WasRecovering bool           `json:"was_recovering,omitempty"`
}

type disconnectPush struct {
	Code   uint32 `json:"code"`
	Reason string `json:"reason,omitempty"`
}

type unsubscribePush struct {
	Code   uint32 `json:"code"`
	Reason string `json:"reason,omitempty"`
}

// apiError is the error member of every server API response.
type apiError struct {
	Code    uint32 `json:"code"`
	Message string `json:"message"`
}

// The publish request ({"channel", "data", "idempotency_key"}) is written by
// publishBody, which copies the data bytes verbatim.

type publishResponse struct {
	Error  *apiError `json:"error,omitempty"`
	Result *struct {
		Offset uint64 `json:"offset"`
		Epoch  string `json:"epoch"`
	} `json:"result,omitempty"`
}

type streamPosition struct {
	Offset uint64 `json:"offset"`
	Epoch  string `json:"epoch,omitempty"`
}

type historyRequest struct {
	Channel string          `json:"channel"`
	Limit   int32           `json:"limit"`
	Since   *streamPosition `json:"since,omitempty"`
	Reverse bool            `json:"reverse,omitempty"`
}

type historyResponse struct {
	Error  *apiError `json:"error,omitempty"`
	Result *struct {
		Publications []*publication `json:"publications"`
		Epoch        string         `json:"epoch"`
		Offset       uint64         `json:"offset"`
	} `json:"result,omitempty"`
}

type presenceRequest struct {
	Channel string `json:"channel"`
}

type clientInfo struct {
	User     string          `json:"user"`
	Client   string          `json:"client"`
	ConnInfo json.RawMessage `json:"conn_info,omitempty"`
}

type presenceResponse struct {
	Error  *apiError `json:"error,omitempty"`
	Result *struct {
		Presence map[string]clientInfo `json:"presence"`
	} `json:"result,omitempty"`
}
