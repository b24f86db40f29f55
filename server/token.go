package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/parsec-gen/parsec-gen/server/internal/hs256"
)

// The server accepts one kind of token: a compact JWS signed with
// HMAC-SHA256 (the algorithm is pinned, which rules out "none" and RS/HS
// confusion) whose claims carry the user ("sub") and optionally an expiry
// ("exp"), a start of validity ("nbf") and connection info ("info"), the same
// claims Centrifugo reads. Parsing, signing and the time rules of RFC 7519
// (fractional NumericDate values, nbf, leeway) are github.com/golang-jwt/jwt's;
// it reads a fractional exp or nbf to the whole second, rounding down, so such
// a token expires up to a second early, never late.

// TokenClaims are the claims of a connection token.
type TokenClaims struct {
	// User is the user ID ("sub"); it must not be empty.
	User string
	// ExpiresAt is when the token expires ("exp", whole seconds); zero means
	// never.
	ExpiresAt time.Time
	// NotBefore is when the token becomes valid ("nbf", whole seconds); zero
	// means at once.
	NotBefore time.Time
	// Info is the connection info ("info"), one JSON value, kept byte for
	// byte but for insignificant whitespace. The embedded
	// server, like Centrifugo, shows it to other clients as the connection's
	// conn_info in presence and in the info of the connection's publications.
	Info json.RawMessage
}

// tokenClaims is the JSON form of TokenClaims.
type tokenClaims struct {
	jwt.RegisteredClaims
	Info json.RawMessage `json:"info,omitempty"`
}

// SignToken returns an HS256 JWT for user that expires after ttl (no expiry
// when ttl <= 0), signed with secret. Centrifugo accepts the same token when
// configured with the same HMAC secret. SignTokenClaims sets more claims.
func SignToken(secret []byte, user string, ttl time.Duration, now time.Time) (string, error) {
	c := TokenClaims{User: user}
	if ttl > 0 {
		c.ExpiresAt = now.Add(ttl)
	}
	return SignTokenClaims(secret, c)
}

// SignTokenClaims returns an HS256 JWT carrying c, signed with secret.
func SignTokenClaims(secret []byte, c TokenClaims) (string, error) {
	if len(secret) == 0 {
		return "", errors.New("sign token: empty secret")
	}
	if c.User == "" {
		return "", errors.New("sign token: empty user")
	}
	if len(c.Info) > 0 && !json.Valid(c.Info) {
		return "", fmt.Errorf("sign token: info %q is not one JSON value", c.Info)
	}
	tc := tokenClaims{RegisteredClaims: jwt.RegisteredClaims{Subject: c.User}, Info: c.Info}
	if !c.ExpiresAt.IsZero() {
		tc.ExpiresAt = jwt.NewNumericDate(c.ExpiresAt)
	}
	if !c.NotBefore.IsZero() {
		tc.NotBefore = jwt.NewNumericDate(c.NotBefore)
	}
	tok, err := hs256.Sign(secret, tc)
	if err != nil {
		return "", fmt.Errorf("sign token: %w", err)
	}
	return tok, nil
}

// verifyToken checks token's signature and its exp and nbf at now, with
// leeway either way, and returns its claims. An expired token is errExpired.
func verifyToken(secret []byte, token string, now time.Time, leeway time.Duration) (TokenClaims, error) {
	p := jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithTimeFunc(func() time.Time { return now }),
		jwt.WithLeeway(leeway),
	)
	var tc tokenClaims
	_, err := p.ParseWithClaims(token, &tc, func(*jwt.Token) (any, error) { return secret, nil })
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		return TokenClaims{}, fmt.Errorf("%w: %w", errExpired, err)
	case err != nil:
		return TokenClaims{}, fmt.Errorf("token: %w", err)
	case tc.Subject == "":
		return TokenClaims{}, errors.New("token claims: empty \"sub\"")
	}
	c := TokenClaims{User: tc.Subject, Info: tc.Info}
	if tc.ExpiresAt != nil {
		c.ExpiresAt = tc.ExpiresAt.Time
	}
	if tc.NotBefore != nil {
		c.NotBefore = tc.NotBefore.Time
	}
	return c, nil
}

var errExpired = errors.New("token claims: expired")

// expireAt is the Unix second at which a connection authenticated by c
// expires: the token's expiry plus the leeway it was accepted with, rounded
// up; 0 (never) for a token without expiry.
func expireAt(c TokenClaims, leeway time.Duration) int64 {
	if c.ExpiresAt.IsZero() {
		return 0
	}
	t := c.ExpiresAt.Add(leeway)
	if t.Truncate(time.Second).Equal(t) {
		return t.Unix()
	}
	return t.Unix() + 1
}
