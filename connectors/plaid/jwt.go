package plaid

import (
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"strings"
)

// maxJWTLength bounds the header before any decoding; Plaid's tokens are a few hundred bytes.
const maxJWTLength = 8 << 10

// jwtHeader is the JOSE header of Plaid-Verification.
type jwtHeader struct {
	Alg string `json:"alg"`
	Kid string `json:"kid"`
	Typ string `json:"typ"`
}

// jwtClaims are the claims Plaid signs.
type jwtClaims struct {
	IssuedAt          *int64 `json:"iat"`
	RequestBodySHA256 string `json:"request_body_sha256"`
}

// token is a JWT split and decoded but not yet verified.
type token struct {
	header    jwtHeader
	claimsRaw []byte
	signed    []byte // "<header>.<payload>" as sent: what the signature covers
	sig       []byte
}

var (
	errJWTShape = errors.New("Plaid-Verification is not a compact JWT")
	errJWTAlg   = errors.New("Plaid-Verification alg is not ES256")
)

// parseJWT splits a compact JWS and decodes its parts. It refuses any alg but ES256 here,
// before a key is ever looked up, so no other algorithm can be reached.
func parseJWT(s string) (token, error) {
	if len(s) > maxJWTLength {
		return token{}, errJWTShape
	}
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return token{}, errJWTShape
	}
	hb, err1 := base64.RawURLEncoding.DecodeString(parts[0])
	cb, err2 := base64.RawURLEncoding.DecodeString(parts[1])
	sig, err3 := base64.RawURLEncoding.DecodeString(parts[2])
	if err1 != nil || err2 != nil || err3 != nil {
		return token{}, errJWTShape
	}
	var h jwtHeader
	if err := json.Unmarshal(hb, &h); err != nil {
		return token{}, errJWTShape
	}
	if h.Alg != "ES256" {
		return token{}, errJWTAlg
	}
	if h.Kid == "" || len(h.Kid) > 256 {
		return token{}, errors.New("Plaid-Verification has no kid")
	}
	return token{header: h, claimsRaw: cb, signed: []byte(parts[0] + "." + parts[1]), sig: sig}, nil
}

// verifyES256 checks a JOSE ES256 signature: SHA-256 of the signing input, r||s as two
// 32-byte big-endian integers (RFC 7518 §3.4), not DER.
func verifyES256(pub *ecdsa.PublicKey, signed, sig []byte) bool {
	if pub == nil || len(sig) != 64 {
		return false
	}
	sum := sha256.Sum256(signed)
	r := new(big.Int).SetBytes(sig[:32])
	s := new(big.Int).SetBytes(sig[32:])
	return ecdsa.Verify(pub, sum[:], r, s)
}
