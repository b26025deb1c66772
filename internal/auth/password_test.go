package auth

import (
	"strings"
	"testing"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apperr"
)

func TestHashAndCheckPassword(t *testing.T) {
	h, err := HashPassword("Qifu-Demo-2026!")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash %q is not an argon2id PHC string with our parameters", h)
	}
	if !CheckPassword(h, "Qifu-Demo-2026!") {
		t.Error("the right password was refused")
	}
	if CheckPassword(h, "Qifu-Demo-2026?") {
		t.Error("a wrong password was accepted")
	}
	h2, _ := HashPassword("Qifu-Demo-2026!")
	if h == h2 {
		t.Error("two hashes of one password are equal: no salt")
	}
	for _, bad := range []string{"", "$argon2i$v=19$m=1,t=1,p=1$AA$AA", "$argon2id$v=19$m=19456,t=2,p=1$!!$AA", "plain"} {
		if CheckPassword(bad, "x") {
			t.Errorf("CheckPassword accepted malformed hash %q", bad)
		}
	}
}

func TestValidatePassword(t *testing.T) {
	cases := []struct {
		user, pw string
		role     access.Role
		ok       bool
	}{
		{"acme", "Abcdef1!", access.Enterprise, true},              // 8 chars, 4 classes
		{"acme", "abcdef12", access.Enterprise, false},             // 2 classes
		{"acme", "Abcdefg1", access.Enterprise, true},              // 3 classes
		{"acme", "Abc1!", access.Enterprise, false},                // short
		{"acme", "Abcdef1!", access.StreetStaff, false},            // staff need 12
		{"acme", "Abcdefgh123!", access.StreetStaff, true},         // 12
		{"wang", "Wang-2026-secret", access.CityAdmin, false},      // contains username, any case
		{"li", "密码很长很长Abc1", access.Enterprise, true},              // non-ASCII counts as other class
		{"x", strings.Repeat("Ab1!", 33), access.CityAdmin, false}, // over 128
	}
	for _, c := range cases {
		err := ValidatePassword(c.user, c.pw, c.role)
		if (err == nil) != c.ok {
			t.Errorf("ValidatePassword(%q, %q, %s) = %v, want ok=%v", c.user, c.pw, c.role, err, c.ok)
		}
		if err != nil && !apperr.HasCode(err, "weak_password") {
			t.Errorf("error code = %v, want weak_password", err)
		}
	}
}
