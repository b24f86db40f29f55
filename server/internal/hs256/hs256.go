// Package hs256 mints HS256 JSON Web Tokens whose claims reach the verifier
// byte for byte.
package hs256

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/golang-jwt/jwt/v5"
)

// header is the JOSE header of every token Sign mints.
var header = base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))

// Sign returns a compact JWT of claims (any value that encodes to a JSON
// object) signed with secret by golang-jwt's HS256.
//
// jwt.Token.SignedString encodes claims with json.Marshal, which rewrites
// '<', '>' and '&' inside raw claims such as "info" as \u escapes: clients
// would then see other conn_info bytes than the signer gave. The claims are
// encoded here without HTML escaping; signing is the library's.
func Sign(secret []byte, claims any) (string, error) {
	var body bytes.Buffer
	enc := json.NewEncoder(&body)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(claims); err != nil {
		return "", fmt.Errorf("token claims: %w", err)
	}
	signing := header + "." + base64.RawURLEncoding.EncodeToString(bytes.TrimSuffix(body.Bytes(), []byte("\n")))
	sig, err := jwt.SigningMethodHS256.Sign(signing, secret)
	if err != nil {
		return "", fmt.Errorf("token signature: %w", err)
	}
	return signing + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}
