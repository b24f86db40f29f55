package server

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func TestTokenRoundTrip(t *testing.T) {
	secret := []byte("s3cret")
	now := time.Unix(1_700_000_000, 0)
	in := TokenClaims{User: "alice", ExpiresAt: now.Add(time.Minute), NotBefore: now.Add(-time.Second),
		Info: json.RawMessage(`{"name":"<Alice & co>"}`)}
	tok, err := SignTokenClaims(secret, in)
	if err != nil {
		t.Fatal(err)
	}
	got, err := verifyToken(secret, tok, now, 0)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if got.User != in.User || !got.ExpiresAt.Equal(in.ExpiresAt) || !got.NotBefore.Equal(in.NotBefore) ||
		string(got.Info) != string(in.Info) {
		t.Errorf("claims = %+v, want %+v", got, in)
	}
	// The old signature still works: user and ttl.
	tok, err = SignToken(secret, "bob", time.Minute, now)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := verifyToken(secret, tok, now, 0); err != nil || got.User != "bob" || got.ExpiresAt.Unix() != now.Unix()+60 {
		t.Errorf("SignToken: claims %+v, err %v", got, err)
	}
	for name, c := range map[string]TokenClaims{
		"empty user":   {},
		"invalid info": {User: "a", Info: json.RawMessage(`{`)},
	} {
		if _, err := SignTokenClaims(secret, c); err == nil {
			t.Errorf("%s: signed", name)
		}
	}
	if _, err := SignTokenClaims(nil, TokenClaims{User: "a"}); err == nil {
		t.Error("empty secret: signed")
	}
}

// sign signs claims (a JSON object) with method and key, for tokens the
// package itself would not mint.
func sign(t *testing.T, method jwt.SigningMethod, key any, claims string) string {
	t.Helper()
	var m jwt.MapClaims
	d := json.NewDecoder(strings.NewReader(claims))
	d.UseNumber() // keep 1700000000.5 as written
	if err := d.Decode(&m); err != nil {
		t.Fatal(err)
	}
	tok, err := jwt.NewWithClaims(method, m).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestVerifyToken(t *testing.T) {
	secret := []byte("s3cret")
	const now = 1_700_000_000
	at := func(sec float64) time.Time { return time.Unix(0, int64(sec*1e9)) }
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	hs := func(claims string) string { return sign(t, jwt.SigningMethodHS256, secret, claims) }
	valid := hs(`{"sub":"u"}`)
	parts := strings.Split(valid, ".")
	tests := []struct {
		name   string
		token  string
		at     float64
		leeway time.Duration
		want   error // nil: accepted; errExpired; errAny: rejected otherwise
	}{
		{name: "no exp", token: valid, at: now},
		{name: "before exp", token: hs(`{"sub":"u","exp":1700000060}`), at: now + 59},
		{name: "at exp", token: hs(`{"sub":"u","exp":1700000060}`), at: now + 60, want: errExpired},
		// A fractional exp is read to the whole second, rounding down.
		{name: "fractional exp, before", token: hs(`{"sub":"u","exp":1700000000.5}`), at: now - 0.1},
		{name: "fractional exp, after", token: hs(`{"sub":"u","exp":1700000000.5}`), at: now + 0.6, want: errExpired},
		{name: "fractional nbf", token: hs(`{"sub":"u","nbf":1700000000.5}`), at: now},
		{name: "exp within leeway", token: hs(`{"sub":"u","exp":1700000060}`), at: now + 64, leeway: 5 * time.Second},
		{name: "exp beyond leeway", token: hs(`{"sub":"u","exp":1700000060}`), at: now + 66, leeway: 5 * time.Second, want: errExpired},
		{name: "nbf in the future", token: hs(`{"sub":"u","nbf":1700000010}`), at: now, want: jwt.ErrTokenNotValidYet},
		{name: "nbf reached", token: hs(`{"sub":"u","nbf":1700000010}`), at: now + 10},
		{name: "nbf within leeway", token: hs(`{"sub":"u","nbf":1700000010}`), at: now + 6, leeway: 5 * time.Second},
		{name: "nbf beyond leeway", token: hs(`{"sub":"u","nbf":1700000010}`), at: now + 4, leeway: 5 * time.Second, want: jwt.ErrTokenNotValidYet},
		{name: "exp not a number", token: hs(`{"sub":"u","exp":"soon"}`), at: now, want: jwt.ErrTokenMalformed},
		{name: "empty sub", token: hs(`{"exp":1700000060}`), at: now, want: errAny},
		{name: "wrong key", token: sign(t, jwt.SigningMethodHS256, []byte("other"), `{"sub":"u"}`), at: now, want: jwt.ErrTokenSignatureInvalid},
		{name: "HS512", token: sign(t, jwt.SigningMethodHS512, secret, `{"sub":"u"}`), at: now, want: jwt.ErrTokenSignatureInvalid},
		{name: "ES256", token: sign(t, jwt.SigningMethodES256, ec, `{"sub":"u"}`), at: now, want: jwt.ErrTokenSignatureInvalid},
		{name: "alg none", token: sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, `{"sub":"u"}`), at: now, want: errAny},
		{name: "swapped claims", token: parts[0] + "." + strings.Split(hs(`{"sub":"mallory"}`), ".")[1] + "." + parts[2], at: now,
			want: jwt.ErrTokenSignatureInvalid},
		{name: "two parts", token: parts[0] + "." + parts[1], at: now, want: jwt.ErrTokenMalformed},
		{name: "bad base64", token: parts[0] + ".!!." + parts[2], at: now, want: jwt.ErrTokenMalformed},
		{name: "empty", token: "", at: now, want: jwt.ErrTokenMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := verifyToken(secret, tt.token, at(tt.at), tt.leeway)
			switch {
			case tt.want == nil && err != nil:
				t.Fatalf("rejected: %v", err)
			case tt.want == nil && c.User != "u":
				t.Fatalf("user = %q, want u", c.User)
			case tt.want == nil:
			case err == nil:
				t.Fatalf("accepted, want %v", tt.want)
			case tt.want != errAny && !errors.Is(err, tt.want):
				t.Fatalf("error %v, want %v", err, tt.want)
			case tt.want != errExpired && errors.Is(err, errExpired):
				t.Fatalf("error %v is errExpired", err)
			}
		})
	}
}

// errAny marks a case that must be rejected for a reason of its own.
var errAny = errors.New("any error")

func TestExpireAt(t *testing.T) {
	for _, tt := range []struct {
		exp    time.Time
		leeway time.Duration
		want   int64
	}{
		{time.Time{}, time.Minute, 0},
		{time.Unix(100, 0), 0, 100},
		{time.Unix(100, 5e8), 0, 101},
		{time.Unix(100, 0), 1500 * time.Millisecond, 102},
	} {
		if got := expireAt(TokenClaims{ExpiresAt: tt.exp}, tt.leeway); got != tt.want {
			t.Errorf("expireAt(%v, %v) = %d, want %d", tt.exp, tt.leeway, got, tt.want)
		}
	}
}
