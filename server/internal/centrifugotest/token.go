package centrifugotest

import (
	"context"
	"encoding/json"
	"time"

	"github.com/parsec-gen/parsec-gen/server/internal/hs256"
)

// Claims are the connection token claims tests need.
type Claims struct {
	// Sub is the user ID ("sub").
	Sub string `json:"sub"`
	// Exp is the expiry as a Unix time ("exp"); zero means one hour from now.
	Exp int64 `json:"exp,omitempty"`
	// Channels lists channels the connection is subscribed to server-side.
	Channels []string `json:"channels,omitempty"`
	// Subs maps channels to server-side subscription options; an empty
	// object subscribes with the namespace's options.
	Subs map[string]map[string]any `json:"subs,omitempty"`
	// Info is the connection info ("info") other clients see in presence
	// and in the info of the connection's publications.
	Info json.RawMessage `json:"info,omitempty"`
}

// SignHS256 returns a compact JWT of claims (any value that encodes to a JSON
// object) signed with secret, with raw claims such as "info" kept byte for
// byte.
func SignHS256(secret string, claims any) (string, error) {
	return hs256.Sign([]byte(secret), claims)
}

// Token mints a connection token for claims, valid for one hour when
// claims.Exp is zero.
func (c *Centrifugo) Token(claims Claims) string {
	c.t.Helper()
	if claims.Exp == 0 {
		claims.Exp = time.Now().Add(time.Hour).Unix()
	}
	tok, err := SignHS256(c.Secret, claims)
	if err != nil {
		c.t.Fatalf("token: %v", err)
	}
	return tok
}

// TokenFunc returns a token source for subscription streams: each call mints
// a token for user whose channels claim holds the requested channel.
func (c *Centrifugo) TokenFunc(user string) func(ctx context.Context, channel string) (string, error) {
	return func(_ context.Context, channel string) (string, error) {
		return SignHS256(c.Secret, Claims{Sub: user, Exp: time.Now().Add(time.Hour).Unix(), Channels: []string{channel}})
	}
}
