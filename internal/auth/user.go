// Package auth is who may come in (R6.1, R6.2): users bound to a role and an
// organisation, argon2id passwords with the password rules, lock-out after
// repeated failures, database-held sessions with an idle time-out, TOTP
// two-factor for staff with recovery codes, and API tokens of which only the
// hash is stored. Every login, failure and change is audited.
package auth

import (
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apperr"
)

// User is a person or machine account.
type User struct {
	ID                 int64       `json:"-"`
	Username           string      `json:"username"`
	DisplayName        string      `json:"display_name"`
	PasswordHash       string      `json:"-"`
	Role               access.Role `json:"role"`
	OrgCode            string      `json:"org_code"`
	MustChangePassword bool        `json:"must_change_password"`
	TOTPSecret         string      `json:"-"`
	TOTPEnabled        bool        `json:"totp_enabled"`
	TOTPLastStep       int64       `json:"-"`
	Disabled           bool        `json:"disabled"`
	LockedUntil        *time.Time  `json:"locked_until"`
	PasswordChangedAt  time.Time   `json:"password_changed_at"`
	LastLoginAt        *time.Time  `json:"last_login_at"`
	CreatedAt          time.Time   `json:"created_at"`
	UpdatedAt          time.Time   `json:"updated_at"`
	// PlatformPath is the path of the user's platform (platform roles),
	// read with the user; it bounds the user's scope.
	PlatformPath string `json:"-"`
	// RegionCode is the region of the user's platform (platform roles).
	RegionCode string `json:"-"`
}

// Actor returns the acting identity of the user.
func (u User) Actor() access.Actor {
	return access.Actor{UserID: u.ID, Username: u.Username, Role: u.Role, OrgCode: u.OrgCode,
		PlatformPath: u.PlatformPath, RegionCode: u.RegionCode}
}

// Locked reports whether the user is locked out at time now.
func (u User) Locked(now time.Time) bool {
	return u.LockedUntil != nil && now.Before(*u.LockedUntil)
}

// auditView is what the audit digest covers of a user (no secrets).
func (u User) auditView() map[string]any {
	return map[string]any{"username": u.Username, "display_name": u.DisplayName, "role": u.Role, "org_code": u.OrgCode,
		"must_change_password": u.MustChangePassword, "totp_enabled": u.TOTPEnabled, "disabled": u.Disabled,
		"password_changed_at": u.PasswordChangedAt}
}

var usernameRe = regexp.MustCompile(`^[a-z0-9][a-z0-9_.@-]{2,63}$`)

// NormalizeUsername trims and lower-cases a username.
func NormalizeUsername(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// NewUser is the input for creating a user.
type NewUser struct {
	Username    string      `json:"username"`
	Password    string      `json:"password"`
	DisplayName string      `json:"display_name"`
	Role        access.Role `json:"role"`
	OrgCode     string      `json:"org_code"`
	// MustChange forces a password change at first login: set when an
	// administrator hands the initial password to someone else.
	MustChange bool `json:"-"`
}

// Validate checks what needs no stored data; the organisation is checked by
// the service.
func (n NewUser) Validate() error {
	if n.Username == "" {
		return apperr.Required("username")
	}
	if !usernameRe.MatchString(n.Username) {
		return apperr.Field("username", "invalid_username", "error.username")
	}
	if utf8.RuneCountInString(n.DisplayName) > 50 {
		return apperr.Field("display_name", "too_long", "error.too_long").With("max", 50)
	}
	if n.Role == "" {
		return apperr.Required("role")
	}
	if !n.Role.Valid() {
		return apperr.Field("role", "invalid_role", "error.invalid_role")
	}
	if n.Role.OrgKind() != access.OrgNone && n.OrgCode == "" {
		return apperr.Field("org_code", "required", "error.org_required")
	}
	if n.Password == "" {
		return apperr.Required("password")
	}
	return ValidatePassword(n.Username, n.Password, n.Role)
}

// Token is an API token; only its hash is stored.
type Token struct {
	ID         int64      `json:"id"`
	UserID     int64      `json:"-"`
	Name       string     `json:"name"`
	Hash       string     `json:"-"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
}

// Session is a logged-in browser, held in the database so that several app
// instances share it.
type Session struct {
	TokenHash  string
	UserID     int64
	CSRFToken  string
	MFAPassed  bool
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
	IP         string
	UserAgent  string
}

// UserFilter selects users, ordered by username.
type UserFilter struct {
	Role    access.Role
	OrgCode string
	Q       string
	After   string
	Limit   int
}
