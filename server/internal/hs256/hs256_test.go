package hs256

import (
	"encoding/json"
	"testing"

	"github.com/golang-jwt/jwt/v5"
)

func TestSign(t *testing.T) {
	// Reference token computed independently for this secret and payload.
	got, err := Sign([]byte("secret"), map[string]any{"sub": "u1"})
	if err != nil {
		t.Fatal(err)
	}
	const want = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1MSJ9.e1nQDHRa3tJWY02MUXI8-wDl0Q6cpqw0JpzJLvJOUZk"
	if got != want {
		t.Fatalf("token = %s\nwant    %s", got, want)
	}
}

func TestSignKeepsClaimBytes(t *testing.T) {
	const info = `{"name":"<a & b>"}`
	tok, err := Sign([]byte("secret"), map[string]any{"sub": "u1", "info": json.RawMessage(info)})
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		jwt.RegisteredClaims
		Info json.RawMessage `json:"info"`
	}
	p := jwt.NewParser(jwt.WithValidMethods([]string{"HS256"}))
	if _, err := p.ParseWithClaims(tok, &c, func(*jwt.Token) (any, error) { return []byte("secret"), nil }); err != nil {
		t.Fatal(err)
	}
	if string(c.Info) != info || c.Subject != "u1" {
		t.Errorf("claims sub %q info %s, want u1 and %s", c.Subject, c.Info, info)
	}
}
