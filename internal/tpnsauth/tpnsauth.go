// Package tpnsauth computes TPNS request authentication: the signature of
// a request and the Basic credential. The client signs with it and the
// fake (chatrecalltest) checks with it; users never need it, so it is
// internal.
package tpnsauth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strconv"
)

// Sign computes the TPNS request signature:
// base64(lowercase hex(HMAC-SHA256(secretKey, timestamp + accessID + body))).
// body must be the exact bytes sent.
func Sign(secretKey, accessID string, timestamp int64, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secretKey))
	mac.Write([]byte(strconv.FormatInt(timestamp, 10) + accessID))
	mac.Write(body)
	return base64.StdEncoding.EncodeToString([]byte(hex.EncodeToString(mac.Sum(nil))))
}

// BasicAuth returns the value of the Authorization header of Basic
// authentication: "Basic " + base64(accessID + ":" + secretKey).
func BasicAuth(accessID, secretKey string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(accessID+":"+secretKey))
}
