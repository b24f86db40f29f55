package centrifugotest

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"
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
}

// SignHS256 returns a compact JWT of claims signed with secret.
func SignHS256(secret string, claims any) (string, error) {
	header, err := json.Marshal(map[string]string{"alg": "HS256", "typ": "JWT"})
	if err != nil {
		return "", err
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("token claims: %w", err)
	}
	enc := base64.RawURLEncoding
	unsigned := enc.EncodeToString(header) + "." + enc.EncodeToString(payload)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(unsigned)) // hash writes never fail
	return unsigned + "." + enc.EncodeToString(mac.Sum(nil)), nil
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
