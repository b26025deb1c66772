package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/audit"
	"github.com/qifu/qifu/internal/clock"
	"github.com/qifu/qifu/internal/locale"
	"github.com/qifu/qifu/internal/uscc"
)

// Policy holds the time limits of sessions and lock-out (R6.2).
type Policy struct {
	IdleTimeout   time.Duration // a session unused this long is ended
	MaxSessionAge time.Duration // a session ends this long after login regardless
	LockFailures  int           // failures within LockWindow that lock an account
	LockWindow    time.Duration
	LockDuration  time.Duration
}

// DefaultPolicy: 30 minutes idle, 12 hours at most, 5 failures in 15
// minutes lock for 15 minutes.
var DefaultPolicy = Policy{
	IdleTimeout: 30 * time.Minute, MaxSessionAge: 12 * time.Hour,
	LockFailures: 5, LockWindow: 15 * time.Minute, LockDuration: 15 * time.Minute,
}

// OrgRef is what auth needs to know of the organisation a user belongs to.
type OrgRef struct {
	Tier string // platform tier, for platform roles
	Path string // platform path, for platform roles
}

// Tx is what the auth service needs from storage. Lookups of one object
// return not_found when it does not exist.
type Tx interface {
	audit.Appender
	UserByName(ctx context.Context, username string) (User, error)
	UserByID(ctx context.Context, id int64) (User, error)
	Users(ctx context.Context, f UserFilter) ([]User, error)
	InsertUser(ctx context.Context, u *User) error
	UpdateUser(ctx context.Context, u User) error
	// OrgRef checks the organisation of a kind exists (platform,
	// department, institution) and describes it.
	OrgRef(ctx context.Context, kind access.OrgKind, code string) (OrgRef, error)
	RecordLoginFailure(ctx context.Context, username, ip string, at time.Time) error
	CountLoginFailures(ctx context.Context, username string, since time.Time) (int, error)
	ClearLoginFailures(ctx context.Context, username string) error
	InsertSession(ctx context.Context, s Session) error
	SessionByHash(ctx context.Context, hash string) (Session, error)
	UpdateSession(ctx context.Context, s Session) error
	DeleteSession(ctx context.Context, hash string) error
	DeleteUserSessions(ctx context.Context, userID int64, exceptHash string) error
	DeleteStaleSessions(ctx context.Context, idleBefore, now time.Time) (int64, error)
	InsertToken(ctx context.Context, t *Token) error
	TokenByHash(ctx context.Context, hash string) (Token, error)
	Tokens(ctx context.Context, userID int64) ([]Token, error)
	TouchToken(ctx context.Context, id int64, at time.Time) error
	RevokeToken(ctx context.Context, id int64, at time.Time) error
	ReplaceRecoveryCodes(ctx context.Context, userID int64, hashes []string) error
	UseRecoveryCode(ctx context.Context, userID int64, hash string, at time.Time) (bool, error)
	Setting(ctx context.Context, key string) (string, bool, error)
	SetSetting(ctx context.Context, key, value string, at time.Time) error
}

// Store runs functions on a Tx.
type Store interface {
	Read(ctx context.Context, fn func(Tx) error) error
	Write(ctx context.Context, fn func(Tx) error) error
}

// Service authenticates people and machines and administers accounts.
type Service struct {
	store  Store
	clock  clock.Clock
	policy Policy
}

// NewService makes the auth service.
func NewService(s Store, c clock.Clock, p Policy) *Service {
	return &Service{store: s, clock: c, policy: p}
}

// Policy returns the session and lock-out policy.
func (s *Service) Policy() Policy { return s.policy }

// Hash returns the SHA-256 hex of a secret (session or API token): what the
// database keeps instead of the secret.
func Hash(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

func randomToken(prefix string, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("auth: no randomness: " + err.Error())
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

// ---- settings ----

const settingRequireTOTP = "security.require_totp"

// RequireTOTP reports whether staff must use two-factor (default yes).
func (s *Service) RequireTOTP(ctx context.Context) (bool, error) {
	var v string
	var ok bool
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		v, ok, err = tx.Setting(ctx, settingRequireTOTP)
		return err
	})
	if err != nil || !ok {
		return true, err
	}
	return v != "false", nil
}

// SetRequireTOTP turns the two-factor requirement on or off (city admin;
// the demo turns it off).
func (s *Service) SetRequireTOTP(ctx context.Context, a access.Actor, on bool) error {
	if !a.IsAdmin() {
		return apperr.Deny()
	}
	now := s.clock.Now()
	return s.store.Write(ctx, func(tx Tx) error {
		if err := tx.SetSetting(ctx, settingRequireTOTP, strconv.FormatBool(on), now); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, audit.New(a, now, "settings.update", "setting", settingRequireTOTP, audit.Success).WithDetail(strconv.FormatBool(on)))
	})
}

// ---- users ----

// CreateUser creates an account (city admin, or the system for the CLI).
// Errors: forbidden; invalid (username, role, org_code unknown or of the
// wrong kind, weak_password); conflict duplicate_username.
func (s *Service) CreateUser(ctx context.Context, a access.Actor, n NewUser) (User, error) {
	if !a.IsAdmin() {
		return User{}, apperr.Deny()
	}
	n.Username = NormalizeUsername(n.Username)
	n.OrgCode = strings.TrimSpace(n.OrgCode)
	n.DisplayName = strings.TrimSpace(n.DisplayName)
	if n.Role == access.Enterprise {
		n.OrgCode = uscc.Normalize(n.OrgCode)
	}
	if err := n.Validate(); err != nil {
		return User{}, err
	}
	hash, err := HashPassword(n.Password)
	if err != nil {
		return User{}, apperr.Wrap(err, "auth: hash password")
	}
	now := s.clock.Now()
	u := User{Username: n.Username, DisplayName: n.DisplayName, PasswordHash: hash, Role: n.Role, OrgCode: n.OrgCode,
		MustChangePassword: n.MustChange, PasswordChangedAt: now, CreatedAt: now, UpdatedAt: now}
	err = s.store.Write(ctx, func(tx Tx) error {
		if _, err := tx.UserByName(ctx, u.Username); err == nil {
			return &apperr.Error{Kind: apperr.Conflict, Code: "duplicate_username", Field: "username", Key: "error.duplicate_username"}
		} else if !apperr.Is(err, apperr.NotFound) {
			return err
		}
		ref, err := s.checkOrg(ctx, tx, u.Role, u.OrgCode)
		if err != nil {
			return err
		}
		u.PlatformPath = ref.Path
		if err := tx.InsertUser(ctx, &u); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, audit.New(a, now, "user.create", "user", u.Username, audit.Success).Change(nil, u.auditView()))
	})
	return u, err
}

// checkOrg verifies the organisation code fits the role.
func (s *Service) checkOrg(ctx context.Context, tx Tx, role access.Role, code string) (OrgRef, error) {
	kind := role.OrgKind()
	switch {
	case kind == access.OrgEnterprise:
		if r := uscc.Check(code); !r.Valid {
			return OrgRef{}, apperr.Field("org_code", "invalid_uscc", "error.invalid_uscc")
		}
		return OrgRef{}, nil
	case code == "":
		return OrgRef{}, nil
	case kind == access.OrgNone:
		// Roles bound to no org kind may name their region or platform
		// (API.md: "the code of the region, platform …"); it must exist.
		if _, err := tx.OrgRef(ctx, access.OrgRegion, code); err == nil {
			return OrgRef{}, nil
		}
		_, err := tx.OrgRef(ctx, access.OrgPlatform, code)
		if apperr.Is(err, apperr.NotFound) {
			return OrgRef{}, apperr.Field("org_code", "unknown_org", "error.unknown_org").With("kind", locale.Key("object.region_or_platform"))
		}
		return OrgRef{}, err
	}
	ref, err := tx.OrgRef(ctx, kind, code)
	if apperr.Is(err, apperr.NotFound) {
		return OrgRef{}, apperr.Field("org_code", "unknown_org", "error.unknown_org").With("kind", locale.Key("object."+string(kind)))
	}
	if err != nil {
		return OrgRef{}, err
	}
	if want := role.PlatformTier(); want != "" && ref.Tier != want {
		return OrgRef{}, apperr.Field("org_code", "org_tier_mismatch", "error.org_tier_mismatch")
	}
	return ref, nil
}

// User returns one account; admins and auditors read any, others only
// themselves.
func (s *Service) User(ctx context.Context, a access.Actor, username string) (User, error) {
	username = NormalizeUsername(username)
	if !a.IsAdmin() && a.Role != access.Auditor && a.Username != username {
		return User{}, apperr.Deny()
	}
	var u User
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		u, err = tx.UserByName(ctx, username)
		return err
	})
	return u, err
}

// Users lists accounts (city admin, auditor).
func (s *Service) Users(ctx context.Context, a access.Actor, f UserFilter) ([]User, string, error) {
	if !a.IsAdmin() && a.Role != access.Auditor {
		return nil, "", apperr.Deny()
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, 500)
	f.Limit = limit + 1
	var items []User
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		items, err = tx.Users(ctx, f)
		return err
	})
	next := ""
	if len(items) > limit {
		items = items[:limit]
		next = items[limit-1].Username
	}
	return items, next, err
}

// UserPatch holds what an administrator may change of an account.
type UserPatch struct {
	DisplayName *string
	Disabled    *bool
	Unlock      bool
	ResetTOTP   bool
	// Password sets a new initial password, to be changed at next login.
	Password *string
}

// UpdateUser applies an administrator's change to an account (city admin).
// Disabling or resetting a password ends the user's sessions.
func (s *Service) UpdateUser(ctx context.Context, a access.Actor, username string, p UserPatch) (User, error) {
	if !a.IsAdmin() {
		return User{}, apperr.Deny()
	}
	var out User
	now := s.clock.Now()
	err := s.store.Write(ctx, func(tx Tx) error {
		u, err := tx.UserByName(ctx, NormalizeUsername(username))
		if err != nil {
			return err
		}
		before := u.auditView()
		endSessions := false
		var actions []string
		if p.DisplayName != nil {
			u.DisplayName = strings.TrimSpace(*p.DisplayName)
			actions = append(actions, "display_name")
		}
		if p.Disabled != nil && *p.Disabled != u.Disabled {
			if *p.Disabled && u.ID == a.UserID {
				return apperr.Field("disabled", "self", "error.disable_self")
			}
			u.Disabled = *p.Disabled
			endSessions = endSessions || u.Disabled
			actions = append(actions, "disabled="+strconv.FormatBool(u.Disabled))
		}
		if p.Unlock {
			u.LockedUntil = nil
			if err := tx.ClearLoginFailures(ctx, u.Username); err != nil {
				return err
			}
			actions = append(actions, "unlock")
		}
		if p.ResetTOTP {
			u.TOTPEnabled, u.TOTPSecret, u.TOTPLastStep = false, "", 0
			if err := tx.ReplaceRecoveryCodes(ctx, u.ID, nil); err != nil {
				return err
			}
			endSessions = true
			actions = append(actions, "reset_totp")
		}
		if p.Password != nil {
			if err := ValidatePassword(u.Username, *p.Password, u.Role); err != nil {
				return err
			}
			h, err := HashPassword(*p.Password)
			if err != nil {
				return apperr.Wrap(err, "auth: hash password")
			}
			u.PasswordHash, u.MustChangePassword, u.PasswordChangedAt = h, true, now
			u.LockedUntil = nil
			endSessions = true
			actions = append(actions, "reset_password")
		}
		u.UpdatedAt = now
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		if endSessions {
			if err := tx.DeleteUserSessions(ctx, u.ID, ""); err != nil {
				return err
			}
		}
		out = u
		return tx.AppendAudit(ctx, audit.New(a, now, "user.update", "user", u.Username, audit.Success).
			Change(before, u.auditView()).WithDetail(strings.Join(actions, ",")))
	})
	return out, err
}

// ---- login, sessions ----

// Step is what a logged-in browser must do before using the application.
type Step string

const (
	StepDone           Step = ""
	StepTOTPEnrol      Step = "totp_enrol"
	StepTOTP           Step = "totp"
	StepChangePassword Step = "change_password"
)

// Login is a successful password check: the session cookie value and the
// session and user behind it.
type Login struct {
	Token   string
	Session Session
	User    User
}

// Login checks a username and password and opens a session. Errors:
// unauthorized invalid_credentials (unknown user, wrong password, disabled:
// the same answer), too_many account_locked (with the time it ends).
func (s *Service) Login(ctx context.Context, username, password, ip, userAgent string) (Login, error) {
	username = NormalizeUsername(username)
	now := s.clock.Now()
	anon := access.Actor{Username: username, IP: ip}
	var u User
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		u, err = tx.UserByName(ctx, username)
		return err
	})
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return Login{}, err
	}
	known := err == nil
	if known && u.Locked(now) {
		s.record(ctx, audit.New(userActor(u, ip), now, "login", "user", username, audit.Failure).WithDetail("locked"))
		return Login{}, lockedErr(*u.LockedUntil)
	}
	hash := dummyHash
	if known {
		hash = u.PasswordHash
	}
	ok := CheckPassword(hash, password)
	if !known || !ok || u.Disabled {
		reason := "bad_password"
		switch {
		case !known:
			reason = "unknown_user"
		case u.Disabled && ok:
			reason = "disabled"
		}
		actor := anon
		if known {
			actor = userActor(u, ip)
		}
		if err := s.fail(ctx, actor, known, username, ip, reason); err != nil {
			return Login{}, err
		}
		return Login{}, &apperr.Error{Kind: apperr.Unauthorized, Code: "invalid_credentials", Key: "error.invalid_credentials"}
	}
	token := randomToken("", 32)
	sess := Session{TokenHash: Hash(token), UserID: u.ID, CSRFToken: randomToken("", 24), CreatedAt: now,
		LastSeenAt: now, ExpiresAt: now.Add(s.policy.MaxSessionAge), IP: ip, UserAgent: truncate(userAgent, 200)}
	err = s.store.Write(ctx, func(tx Tx) error {
		if err := tx.ClearLoginFailures(ctx, username); err != nil {
			return err
		}
		u.LastLoginAt = &now
		u.LockedUntil = nil
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		if err := tx.InsertSession(ctx, sess); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, audit.New(userActor(u, ip), now, "login", "user", username, audit.Success))
	})
	if err != nil {
		return Login{}, err
	}
	return Login{Token: token, Session: sess, User: u}, nil
}

// fail records a failed login or second-factor attempt and locks the
// account when the failures reach the limit.
func (s *Service) fail(ctx context.Context, actor access.Actor, known bool, username, ip, reason string) error {
	now := s.clock.Now()
	return s.store.Write(ctx, func(tx Tx) error {
		if err := tx.RecordLoginFailure(ctx, username, ip, now); err != nil {
			return err
		}
		if err := tx.AppendAudit(ctx, audit.New(actor, now, "login", "user", username, audit.Failure).WithDetail(reason)); err != nil {
			return err
		}
		if !known {
			return nil
		}
		n, err := tx.CountLoginFailures(ctx, username, now.Add(-s.policy.LockWindow))
		if err != nil || n < s.policy.LockFailures {
			return err
		}
		u, err := tx.UserByName(ctx, username)
		if err != nil {
			return err
		}
		until := now.Add(s.policy.LockDuration)
		u.LockedUntil = &until
		u.UpdatedAt = now
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		if err := tx.DeleteUserSessions(ctx, u.ID, ""); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, audit.New(actor, now, "user.lock", "user", username, audit.Success).
			WithDetail(strconv.Itoa(n)+" failures"))
	})
}

func lockedErr(until time.Time) error {
	return (&apperr.Error{Kind: apperr.TooMany, Code: "account_locked", Key: "error.account_locked"}).
		With("until", until)
}

func userActor(u User, ip string) access.Actor {
	a := u.Actor()
	a.IP = ip
	return a
}

func (s *Service) record(ctx context.Context, e audit.Entry) {
	_ = s.store.Write(ctx, func(tx Tx) error { return tx.AppendAudit(ctx, e) })
}

// NextStep says what the session must do before using the application:
// two-factor (enrol or verify) for staff when required, then a password
// change when one is due.
func (s *Service) NextStep(ctx context.Context, u User, sess Session) (Step, error) {
	if u.Role.Staff() && !sess.MFAPassed {
		req, err := s.RequireTOTP(ctx)
		if err != nil {
			return StepDone, err
		}
		if req {
			if !u.TOTPEnabled {
				return StepTOTPEnrol, nil
			}
			return StepTOTP, nil
		}
	}
	if u.MustChangePassword {
		return StepChangePassword, nil
	}
	return StepDone, nil
}

// SessionUser resolves a session cookie: the session and its user. It ends
// sessions idle longer than the policy allows or past their maximum age.
// Errors: unauthorized session_expired / no_session.
func (s *Service) SessionUser(ctx context.Context, token string) (Session, User, error) {
	if token == "" {
		return Session{}, User{}, apperr.New(apperr.Unauthorized, "no_session", "error.login_required")
	}
	now := s.clock.Now()
	hash := Hash(token)
	var sess Session
	var u User
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		if sess, err = tx.SessionByHash(ctx, hash); err != nil {
			return err
		}
		u, err = tx.UserByID(ctx, sess.UserID)
		return err
	})
	if apperr.Is(err, apperr.NotFound) {
		return Session{}, User{}, apperr.New(apperr.Unauthorized, "no_session", "error.login_required")
	}
	if err != nil {
		return Session{}, User{}, err
	}
	if now.Sub(sess.LastSeenAt) > s.policy.IdleTimeout || now.After(sess.ExpiresAt) || u.Disabled || u.Locked(now) {
		_ = s.store.Write(ctx, func(tx Tx) error { return tx.DeleteSession(ctx, hash) })
		return Session{}, User{}, apperr.New(apperr.Unauthorized, "session_expired", "error.session_expired")
	}
	if now.Sub(sess.LastSeenAt) > time.Minute {
		sess.LastSeenAt = now
		if err := s.store.Write(ctx, func(tx Tx) error { return tx.UpdateSession(ctx, sess) }); err != nil {
			return Session{}, User{}, err
		}
	}
	return sess, u, nil
}

// Logout ends a session.
func (s *Service) Logout(ctx context.Context, a access.Actor, token string) error {
	now := s.clock.Now()
	return s.store.Write(ctx, func(tx Tx) error {
		if err := tx.DeleteSession(ctx, Hash(token)); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, audit.New(a, now, "logout", "user", a.Username, audit.Success))
	})
}

// ChangePassword changes the actor's own password, checking the current one;
// other sessions of the user end. Errors: invalid current_password,
// weak_password, same_password.
func (s *Service) ChangePassword(ctx context.Context, a access.Actor, sessionToken, current, next string) error {
	now := s.clock.Now()
	return s.store.Write(ctx, func(tx Tx) error {
		u, err := tx.UserByID(ctx, a.UserID)
		if err != nil {
			return err
		}
		if !CheckPassword(u.PasswordHash, current) {
			return apperr.Field("current_password", "wrong_password", "error.wrong_password")
		}
		if current == next {
			return apperr.Field("password", "same_password", "error.same_password")
		}
		if err := ValidatePassword(u.Username, next, u.Role); err != nil {
			return err
		}
		h, err := HashPassword(next)
		if err != nil {
			return apperr.Wrap(err, "auth: hash password")
		}
		u.PasswordHash, u.MustChangePassword, u.PasswordChangedAt, u.UpdatedAt = h, false, now, now
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		if err := tx.DeleteUserSessions(ctx, u.ID, Hash(sessionToken)); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, audit.New(a, now, "password.change", "user", u.Username, audit.Success))
	})
}

// CleanSessions deletes sessions past their idle or maximum time.
func (s *Service) CleanSessions(ctx context.Context) (int64, error) {
	now := s.clock.Now()
	var n int64
	err := s.store.Write(ctx, func(tx Tx) error {
		var err error
		n, err = tx.DeleteStaleSessions(ctx, now.Add(-s.policy.IdleTimeout), now)
		return err
	})
	return n, err
}

// ---- API tokens ----

// CreateToken issues an API token for a user (city admin or the system)
// and returns it; only its hash is kept.
func (s *Service) CreateToken(ctx context.Context, a access.Actor, username, name string) (string, Token, error) {
	if !a.IsAdmin() {
		return "", Token{}, apperr.Deny()
	}
	name = strings.TrimSpace(name)
	if len([]rune(name)) > 50 {
		return "", Token{}, apperr.Field("name", "too_long", "error.too_long").With("max", 50)
	}
	secret := randomToken("qf_", 32)
	now := s.clock.Now()
	t := Token{Name: name, Hash: Hash(secret), CreatedAt: now}
	err := s.store.Write(ctx, func(tx Tx) error {
		u, err := tx.UserByName(ctx, NormalizeUsername(username))
		if err != nil {
			return err
		}
		if u.Disabled {
			return apperr.Field("username", "disabled", "error.user_disabled")
		}
		t.UserID = u.ID
		if err := tx.InsertToken(ctx, &t); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, audit.New(a, now, "token.create", "user", u.Username, audit.Success).WithDetail(name))
	})
	if err != nil {
		return "", Token{}, err
	}
	return secret, t, nil
}

// TokenUser resolves an API token to its user. Errors: unauthorized
// invalid_token (unknown, revoked, or its user disabled).
func (s *Service) TokenUser(ctx context.Context, secret string) (User, error) {
	bad := apperr.New(apperr.Unauthorized, "invalid_token", "error.invalid_token")
	if secret == "" {
		return User{}, bad
	}
	var t Token
	var u User
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		if t, err = tx.TokenByHash(ctx, Hash(secret)); err != nil {
			return err
		}
		u, err = tx.UserByID(ctx, t.UserID)
		return err
	})
	if apperr.Is(err, apperr.NotFound) {
		return User{}, bad
	}
	if err != nil {
		return User{}, err
	}
	now := s.clock.Now()
	if t.RevokedAt != nil || u.Disabled || u.Locked(now) {
		return User{}, bad
	}
	if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) > time.Minute {
		_ = s.store.Write(ctx, func(tx Tx) error { return tx.TouchToken(ctx, t.ID, now) })
	}
	return u, nil
}

// Tokens lists a user's tokens (city admin and auditor, or the user).
func (s *Service) Tokens(ctx context.Context, a access.Actor, username string) ([]Token, error) {
	u, err := s.User(ctx, a, username)
	if err != nil {
		return nil, err
	}
	var out []Token
	err = s.store.Read(ctx, func(tx Tx) error {
		var err error
		out, err = tx.Tokens(ctx, u.ID)
		return err
	})
	return out, err
}

// RevokeToken revokes one of a user's tokens (city admin).
func (s *Service) RevokeToken(ctx context.Context, a access.Actor, username string, id int64) error {
	if !a.IsAdmin() {
		return apperr.Deny()
	}
	now := s.clock.Now()
	return s.store.Write(ctx, func(tx Tx) error {
		u, err := tx.UserByName(ctx, NormalizeUsername(username))
		if err != nil {
			return err
		}
		list, err := tx.Tokens(ctx, u.ID)
		if err != nil {
			return err
		}
		for _, t := range list {
			if t.ID == id {
				if err := tx.RevokeToken(ctx, id, now); err != nil {
					return err
				}
				return tx.AppendAudit(ctx, audit.New(a, now, "token.revoke", "user", u.Username, audit.Success).WithDetail(strconv.FormatInt(id, 10)))
			}
		}
		return apperr.NotFoundOf("object.token", strconv.FormatInt(id, 10))
	})
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
