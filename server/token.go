package server

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// The server accepts exactly one kind of token: a compact JWS signed with
// HMAC-SHA256 whose claims carry the user ("sub") and an expiry ("exp"). That
// is a few lines over crypto/hmac, so no JWT library is pulled in; pinning the
// algorithm here also rules out algorithm-confusion ("none", RS/HS swaps).

// tokenHeader is the only JOSE header this package emits.
var tokenHeader = base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))

// claims is the subset of registered JWT claims the server reads.
type claims struct {
	Sub string `json:"sub"`
	Exp int64  `json:"exp,omitempty"`
}

// SignToken returns an HS256 JWT for user that expires after ttl (no expiry
// when ttl <= 0), signed with secret. Centrifugo accepts the same token when
// configured with the same HMAC secret.
func SignToken(secret []byte, user string, ttl time.Duration, now time.Time) (string, error) {
	if len(secret) == 0 {
		return "", errors.New("sign token: empty secret")
	}
	c := claims{Sub: user}
	if ttl > 0 {
		c.Exp = now.Add(ttl).Unix()
	}
	body, err := json.Marshal(c)
	if err != nil {
		return "", fmt.Errorf("sign token: %w", err)
	}
	signing := tokenHeader + "." + base64.RawURLEncoding.EncodeToString(body)
	return signing + "." + base64.RawURLEncoding.EncodeToString(mac(secret, signing)), nil
}

// verifyToken checks token's signature and expiry at now and returns its
// claims.
func verifyToken(secret []byte, token string, now time.Time) (claims, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return claims{}, fmt.Errorf("token: want 3 dot-separated parts, got %d", len(parts))
	}
	rawHeader, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return claims{}, fmt.Errorf("token header: %w", err)
	}
	var h struct {
		Alg string `json:"alg"`
	}
	if err := json.Unmarshal(rawHeader, &h); err != nil {
		return claims{}, fmt.Errorf("token header: %w", err)
	}
	if h.Alg != "HS256" {
		return claims{}, fmt.Errorf("token header: alg %q, want \"HS256\"", h.Alg)
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return claims{}, fmt.Errorf("token signature: %w", err)
	}
	if !hmac.Equal(sig, mac(secret, parts[0]+"."+parts[1])) {
		return claims{}, errors.New("token signature: mismatch")
	}
	rawClaims, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return claims{}, fmt.Errorf("token claims: %w", err)
	}
	var c claims
	if err := json.Unmarshal(rawClaims, &c); err != nil {
		return claims{}, fmt.Errorf("token claims: %w", err)
	}
	if c.Sub == "" {
		return claims{}, errors.New("token claims: empty \"sub\"")
	}
	if c.Exp != 0 && now.Unix() >= c.Exp {
		return claims{}, errExpired
	}
	return c, nil
}

var errExpired = errors.New("token claims: expired")

func mac(secret []byte, signing string) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(signing))
	return m.Sum(nil)
}
