package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apperr"
)

// Password rules (R6.2; API.md "weak_password").
const (
	MinPasswordLen      = 8
	MinStaffPasswordLen = 12
	MaxPasswordLen      = 128
)

// ValidatePassword checks a new password for a user of a role: long enough
// (12 for staff), at least 3 of the 4 character classes, not containing the
// username. Errors are 422 weak_password on field "password".
func ValidatePassword(username, password string, role access.Role) error {
	minLen := MinPasswordLen
	if role.Staff() {
		minLen = MinStaffPasswordLen
	}
	n := utf8.RuneCountInString(password)
	weak := func(key string) error {
		return apperr.Field("password", "weak_password", key).With("min", minLen).With("max", MaxPasswordLen)
	}
	if n < minLen {
		return weak("error.password_short")
	}
	if n > MaxPasswordLen {
		return weak("error.password_long")
	}
	var lower, upper, digit, other bool
	for _, r := range password {
		switch {
		case unicode.IsLower(r):
			lower = true
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsDigit(r):
			digit = true
		default:
			other = true
		}
	}
	classes := 0
	for _, b := range []bool{lower, upper, digit, other} {
		if b {
			classes++
		}
	}
	if classes < 3 {
		return weak("error.password_classes")
	}
	if username != "" && strings.Contains(strings.ToLower(password), strings.ToLower(username)) {
		return weak("error.password_username")
	}
	return nil
}

// argon2id parameters: OWASP's minimum recommendation (19 MiB, 2 passes).
const (
	argonMemory  = 19 * 1024
	argonTime    = 2
	argonThreads = 1
	argonKeyLen  = 32
	argonSaltLen = 16
)

// HashPassword returns an argon2id hash in the PHC string format.
func HashPassword(password string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("auth: salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// CheckPassword reports whether password matches a PHC argon2id hash.
func CheckPassword(hash, password string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false
	}
	var m uint32
	var t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m > 1<<20 || t > 16 || p == 0 {
		return false
	}
	enc := base64.RawStdEncoding
	salt, err := enc.DecodeString(parts[4])
	if err != nil {
		return false
	}
	want, err := enc.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash is compared against when a username is unknown, so a failed
// login takes as long whether or not the user exists.
var dummyHash, _ = HashPassword("qifu-no-such-user-Aa1!")
