package store

import (
	"context"
	"strconv"
	"time"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/auth"
)

var _ auth.Tx = (*Tx)(nil)

// User rows are read with the path of the user's platform (empty unless the
// org is a platform), which bounds the scope of platform roles.
const userSelect = `SELECT u.id, u.username, u.display_name, u.password_hash, u.role, u.org_code,
	u.must_change_password, u.totp_secret, u.totp_enabled, u.totp_last_step, u.disabled, u.locked_until,
	u.password_changed_at, u.last_login_at, u.created_at, u.updated_at, COALESCE(p.path, ''), COALESCE(p.region_code, '')
	FROM users u LEFT JOIN platforms p ON p.code = u.org_code`

func scanUser(s interface{ Scan(...any) error }) (auth.User, error) {
	var u auth.User
	var locked, last nullTime
	err := s.Scan(&u.ID, &u.Username, &u.DisplayName, &u.PasswordHash, &u.Role, &u.OrgCode, &u.MustChangePassword,
		&u.TOTPSecret, &u.TOTPEnabled, &u.TOTPLastStep, &u.Disabled, &locked, &u.PasswordChangedAt, &last,
		&u.CreatedAt, &u.UpdatedAt, &u.PlatformPath, &u.RegionCode)
	u.LockedUntil, u.LastLoginAt = locked.Ptr(), last.Ptr()
	if u.Role.OrgKind() != access.OrgPlatform {
		u.PlatformPath, u.RegionCode = "", ""
	}
	return u, err
}

// UserByName returns a user or not_found.
func (tx *Tx) UserByName(ctx context.Context, username string) (auth.User, error) {
	u, err := scanUser(tx.queryRow(ctx, userSelect+" WHERE u.username = ?", username))
	if err != nil {
		return auth.User{}, notFound(err, "object.user", username)
	}
	return u, nil
}

// UserByID returns a user or not_found.
func (tx *Tx) UserByID(ctx context.Context, id int64) (auth.User, error) {
	u, err := scanUser(tx.queryRow(ctx, userSelect+" WHERE u.id = ?", id))
	if err != nil {
		return auth.User{}, notFound(err, "object.user", strconv.FormatInt(id, 10))
	}
	return u, nil
}

// Users lists users by username.
func (tx *Tx) Users(ctx context.Context, f auth.UserFilter) ([]auth.User, error) {
	var w where
	w.addIf(string(f.Role), "u.role = ?")
	w.addIf(f.OrgCode, "u.org_code = ?")
	w.addIf(f.After, "u.username > ?")
	w.addSearch(f.Q, "u.username", "u.display_name", "u.org_code")
	rows, err := tx.query(ctx, userSelect+w.String()+" ORDER BY u.username LIMIT ?", append(w.args, f.Limit)...)
	if err != nil {
		return nil, mapErr(err, "store: list users")
	}
	return collect(rows, scanUser, "users")
}

// InsertUser stores a new user and sets its id.
func (tx *Tx) InsertUser(ctx context.Context, u *auth.User) error {
	err := tx.queryRow(ctx, `INSERT INTO users (username, display_name, password_hash, role, org_code, must_change_password,
		totp_secret, totp_enabled, totp_last_step, disabled, locked_until, password_changed_at, last_login_at, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		u.Username, u.DisplayName, u.PasswordHash, u.Role, u.OrgCode, u.MustChangePassword, u.TOTPSecret, u.TOTPEnabled,
		u.TOTPLastStep, u.Disabled, timePtr(u.LockedUntil), u.PasswordChangedAt, timePtr(u.LastLoginAt), u.CreatedAt, u.UpdatedAt).Scan(&u.ID)
	return mapErr(err, "store: insert user")
}

// UpdateUser stores every mutable field of a user.
func (tx *Tx) UpdateUser(ctx context.Context, u auth.User) error {
	_, err := tx.exec(ctx, `UPDATE users SET display_name = ?, password_hash = ?, must_change_password = ?, totp_secret = ?,
		totp_enabled = ?, totp_last_step = ?, disabled = ?, locked_until = ?, password_changed_at = ?, last_login_at = ?,
		updated_at = ? WHERE id = ?`,
		u.DisplayName, u.PasswordHash, u.MustChangePassword, u.TOTPSecret, u.TOTPEnabled, u.TOTPLastStep, u.Disabled,
		timePtr(u.LockedUntil), u.PasswordChangedAt, timePtr(u.LastLoginAt), u.UpdatedAt, u.ID)
	return mapErr(err, "store: update user")
}

// OrgRef checks an organisation of a kind exists and describes it.
func (tx *Tx) OrgRef(ctx context.Context, kind access.OrgKind, code string) (auth.OrgRef, error) {
	var ref auth.OrgRef
	var err error
	switch kind {
	case access.OrgPlatform:
		err = tx.queryRow(ctx, "SELECT tier, path FROM platforms WHERE code = ?", code).Scan(&ref.Tier, &ref.Path)
	case access.OrgDepartment:
		err = tx.queryRow(ctx, "SELECT code FROM departments WHERE code = ?", code).Scan(&ref.Path)
		ref.Path = ""
	case access.OrgRegion:
		err = tx.queryRow(ctx, "SELECT code FROM regions WHERE code = ?", code).Scan(&ref.Path)
		ref.Path = ""
	case access.OrgInstitution:
		err = tx.queryRow(ctx, "SELECT code FROM institutions WHERE code = ?", code).Scan(&ref.Path)
		ref.Path = ""
	default:
		return ref, nil
	}
	if err != nil {
		return auth.OrgRef{}, notFound(err, "object."+string(kind), code)
	}
	return ref, nil
}

// RecordLoginFailure notes a failed attempt for lock-out counting.
func (tx *Tx) RecordLoginFailure(ctx context.Context, username, ip string, at time.Time) error {
	_, err := tx.exec(ctx, "INSERT INTO login_failures (username, ip, at) VALUES (?, ?, ?)", username, ip, at)
	return mapErr(err, "store: record login failure")
}

// CountLoginFailures counts a username's failures since a time.
func (tx *Tx) CountLoginFailures(ctx context.Context, username string, since time.Time) (int, error) {
	var n int
	err := tx.queryRow(ctx, "SELECT COUNT(*) FROM login_failures WHERE username = ? AND at > ?", username, since).Scan(&n)
	return n, mapErr(err, "store: count login failures")
}

// ClearLoginFailures forgets a username's failures (after a success).
func (tx *Tx) ClearLoginFailures(ctx context.Context, username string) error {
	_, err := tx.exec(ctx, "DELETE FROM login_failures WHERE username = ?", username)
	return mapErr(err, "store: clear login failures")
}

const sessionCols = "token_hash, user_id, csrf_token, mfa_passed, created_at, last_seen_at, expires_at, ip, user_agent"

// InsertSession stores a new session.
func (tx *Tx) InsertSession(ctx context.Context, s auth.Session) error {
	_, err := tx.exec(ctx, "INSERT INTO sessions ("+sessionCols+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
		s.TokenHash, s.UserID, s.CSRFToken, s.MFAPassed, s.CreatedAt, s.LastSeenAt, s.ExpiresAt, s.IP, s.UserAgent)
	return mapErr(err, "store: insert session")
}

// SessionByHash returns a session or not_found.
func (tx *Tx) SessionByHash(ctx context.Context, hash string) (auth.Session, error) {
	var s auth.Session
	err := tx.queryRow(ctx, "SELECT "+sessionCols+" FROM sessions WHERE token_hash = ?", hash).Scan(
		&s.TokenHash, &s.UserID, &s.CSRFToken, &s.MFAPassed, &s.CreatedAt, &s.LastSeenAt, &s.ExpiresAt, &s.IP, &s.UserAgent)
	if err != nil {
		return auth.Session{}, notFound(err, "object.session", "")
	}
	return s, nil
}

// UpdateSession stores a session's mutable fields.
func (tx *Tx) UpdateSession(ctx context.Context, s auth.Session) error {
	_, err := tx.exec(ctx, "UPDATE sessions SET mfa_passed = ?, last_seen_at = ? WHERE token_hash = ?", s.MFAPassed, s.LastSeenAt, s.TokenHash)
	return mapErr(err, "store: update session")
}

// DeleteSession ends one session.
func (tx *Tx) DeleteSession(ctx context.Context, hash string) error {
	_, err := tx.exec(ctx, "DELETE FROM sessions WHERE token_hash = ?", hash)
	return mapErr(err, "store: delete session")
}

// DeleteUserSessions ends every session of a user but one.
func (tx *Tx) DeleteUserSessions(ctx context.Context, userID int64, exceptHash string) error {
	_, err := tx.exec(ctx, "DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?", userID, exceptHash)
	return mapErr(err, "store: delete user sessions")
}

// DeleteStaleSessions ends sessions idle since before idleBefore or expired.
func (tx *Tx) DeleteStaleSessions(ctx context.Context, idleBefore, now time.Time) (int64, error) {
	res, err := tx.exec(ctx, "DELETE FROM sessions WHERE last_seen_at < ? OR expires_at < ?", idleBefore, now)
	if err != nil {
		return 0, mapErr(err, "store: delete stale sessions")
	}
	n, _ := res.RowsAffected()
	return n, nil
}

const tokenCols = "id, user_id, name, token_hash, created_at, last_used_at, revoked_at"

func scanToken(s interface{ Scan(...any) error }) (auth.Token, error) {
	var t auth.Token
	var used, revoked nullTime
	err := s.Scan(&t.ID, &t.UserID, &t.Name, &t.Hash, &t.CreatedAt, &used, &revoked)
	t.LastUsedAt, t.RevokedAt = used.Ptr(), revoked.Ptr()
	return t, err
}

// InsertToken stores a token's hash and sets its id.
func (tx *Tx) InsertToken(ctx context.Context, t *auth.Token) error {
	err := tx.queryRow(ctx, "INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES (?, ?, ?, ?) RETURNING id",
		t.UserID, t.Name, t.Hash, t.CreatedAt).Scan(&t.ID)
	return mapErr(err, "store: insert token")
}

// TokenByHash returns a token or not_found.
func (tx *Tx) TokenByHash(ctx context.Context, hash string) (auth.Token, error) {
	t, err := scanToken(tx.queryRow(ctx, "SELECT "+tokenCols+" FROM api_tokens WHERE token_hash = ?", hash))
	if err != nil {
		return auth.Token{}, notFound(err, "object.token", "")
	}
	return t, nil
}

// Tokens lists a user's tokens, newest first.
func (tx *Tx) Tokens(ctx context.Context, userID int64) ([]auth.Token, error) {
	rows, err := tx.query(ctx, "SELECT "+tokenCols+" FROM api_tokens WHERE user_id = ? ORDER BY id DESC", userID)
	if err != nil {
		return nil, mapErr(err, "store: list tokens")
	}
	return collect(rows, scanToken, "tokens")
}

// TouchToken records a token's use.
func (tx *Tx) TouchToken(ctx context.Context, id int64, at time.Time) error {
	_, err := tx.exec(ctx, "UPDATE api_tokens SET last_used_at = ? WHERE id = ?", at, id)
	return mapErr(err, "store: touch token")
}

// RevokeToken marks a token revoked.
func (tx *Tx) RevokeToken(ctx context.Context, id int64, at time.Time) error {
	_, err := tx.exec(ctx, "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", at, id)
	return mapErr(err, "store: revoke token")
}

// ReplaceRecoveryCodes replaces a user's recovery codes (nil deletes them).
func (tx *Tx) ReplaceRecoveryCodes(ctx context.Context, userID int64, hashes []string) error {
	if _, err := tx.exec(ctx, "DELETE FROM recovery_codes WHERE user_id = ?", userID); err != nil {
		return mapErr(err, "store: replace recovery codes")
	}
	for _, h := range hashes {
		if _, err := tx.exec(ctx, "INSERT INTO recovery_codes (user_id, code_hash) VALUES (?, ?)", userID, h); err != nil {
			return mapErr(err, "store: replace recovery codes")
		}
	}
	return nil
}

// UseRecoveryCode consumes an unused recovery code; false when none matches.
func (tx *Tx) UseRecoveryCode(ctx context.Context, userID int64, hash string, at time.Time) (bool, error) {
	res, err := tx.exec(ctx, "UPDATE recovery_codes SET used_at = ? WHERE user_id = ? AND code_hash = ? AND used_at IS NULL", at, userID, hash)
	if err != nil {
		return false, mapErr(err, "store: use recovery code")
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}
