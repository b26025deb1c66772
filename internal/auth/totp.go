package auth

import (
	"context"
	"encoding/base32"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
	"github.com/pquerna/otp/totp"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/audit"
)

const totpPeriod = 30

// RecoveryCodeCount is how many single-use recovery codes enrolment gives.
const RecoveryCodeCount = 10

// BeginTOTP prepares two-factor enrolment for the actor: a new secret, kept
// inactive until confirmed, and its otpauth:// URL (for the QR code). A
// pending secret is reused so reloading the page shows the same code.
func (s *Service) BeginTOTP(ctx context.Context, a access.Actor, issuer string) (string, error) {
	var url string
	err := s.store.Write(ctx, func(tx Tx) error {
		u, err := tx.UserByID(ctx, a.UserID)
		if err != nil {
			return err
		}
		if u.TOTPEnabled {
			return apperr.New(apperr.Conflict, "totp_enabled", "error.totp_enabled")
		}
		if u.TOTPSecret != "" {
			url = keyURL(issuer, u.Username, u.TOTPSecret)
			return nil
		}
		key, err := totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: u.Username, Period: totpPeriod})
		if err != nil {
			return apperr.Wrap(err, "auth: totp secret")
		}
		u.TOTPSecret, u.UpdatedAt = key.Secret(), s.clock.Now()
		url = key.URL()
		return tx.UpdateUser(ctx, u)
	})
	return url, err
}

func keyURL(issuer, account, secret string) string {
	key, err := totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: account, Period: totpPeriod, Secret: mustDecode(secret)})
	if err != nil {
		return ""
	}
	return key.URL()
}

func mustDecode(secret string) []byte {
	b, err := otpEncoding.DecodeString(secret)
	if err != nil {
		return nil
	}
	return b
}

var otpEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// TOTPKey parses an otpauth:// URL (to render its QR code and secret).
func TOTPKey(url string) (*otp.Key, error) { return otp.NewKeyFromURL(url) }

// matchStep returns the time step a code is valid for (±1 step of skew), or
// -1.
func matchStep(secret, code string, now time.Time) int64 {
	code = strings.TrimSpace(strings.ReplaceAll(code, " ", ""))
	if len(code) != 6 {
		return -1
	}
	cur := now.Unix() / totpPeriod
	for _, step := range []int64{cur, cur - 1, cur + 1} {
		want, err := hotp.GenerateCodeCustom(secret, uint64(step), hotp.ValidateOpts{Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		if err == nil && want == code {
			return step
		}
	}
	return -1
}

// ConfirmTOTP activates the pending secret with a first code, marks the
// session as two-factor passed, and returns the recovery codes (shown once).
// Errors: invalid totp_code; conflict when not enrolling.
func (s *Service) ConfirmTOTP(ctx context.Context, a access.Actor, sessionToken, code string) ([]string, error) {
	now := s.clock.Now()
	var codes []string
	bad := false
	err := s.store.Write(ctx, func(tx Tx) error {
		u, err := tx.UserByID(ctx, a.UserID)
		if err != nil {
			return err
		}
		if u.TOTPEnabled || u.TOTPSecret == "" {
			return apperr.New(apperr.Conflict, "totp_not_pending", "error.totp_not_pending")
		}
		step := matchStep(u.TOTPSecret, code, now)
		if step < 0 {
			bad = true
			return nil
		}
		u.TOTPEnabled, u.TOTPLastStep, u.UpdatedAt = true, step, now
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		codes = make([]string, RecoveryCodeCount)
		hashes := make([]string, RecoveryCodeCount)
		for i := range codes {
			raw := strings.ToLower(randomToken("", 6))
			raw = strings.NewReplacer("-", "x", "_", "y").Replace(raw)
			codes[i] = raw[:4] + "-" + raw[4:8]
			hashes[i] = Hash(codes[i])
		}
		if err := tx.ReplaceRecoveryCodes(ctx, u.ID, hashes); err != nil {
			return err
		}
		if err := s.passSession(ctx, tx, sessionToken); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, audit.New(a, now, "totp.enrol", "user", u.Username, audit.Success))
	})
	if err == nil && bad {
		err = s.secondFactorFailed(ctx, a, "bad_totp_code")
	}
	return codes, err
}

// VerifyTOTP checks a code from the user's authenticator and marks the
// session as two-factor passed. A code is accepted once (no replay).
func (s *Service) VerifyTOTP(ctx context.Context, a access.Actor, sessionToken, code string) error {
	now := s.clock.Now()
	bad := false
	err := s.store.Write(ctx, func(tx Tx) error {
		u, err := tx.UserByID(ctx, a.UserID)
		if err != nil {
			return err
		}
		if !u.TOTPEnabled {
			return apperr.New(apperr.Conflict, "totp_not_enabled", "error.totp_not_enabled")
		}
		step := matchStep(u.TOTPSecret, code, now)
		if step < 0 || step <= u.TOTPLastStep {
			bad = true
			return nil
		}
		u.TOTPLastStep, u.UpdatedAt = step, now
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		if err := s.passSession(ctx, tx, sessionToken); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, audit.New(a, now, "totp.verify", "user", u.Username, audit.Success))
	})
	if err == nil && bad {
		err = s.secondFactorFailed(ctx, a, "bad_totp_code")
	}
	return err
}

// VerifyRecovery accepts one unused recovery code in place of a TOTP code.
func (s *Service) VerifyRecovery(ctx context.Context, a access.Actor, sessionToken, code string) error {
	now := s.clock.Now()
	bad := false
	err := s.store.Write(ctx, func(tx Tx) error {
		ok, err := tx.UseRecoveryCode(ctx, a.UserID, Hash(strings.ToLower(strings.TrimSpace(code))), now)
		if err != nil {
			return err
		}
		if !ok {
			bad = true
			return nil
		}
		if err := s.passSession(ctx, tx, sessionToken); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, audit.New(a, now, "totp.recovery", "user", a.Username, audit.Success))
	})
	if err == nil && bad {
		err = s.secondFactorFailed(ctx, a, "bad_recovery_code")
	}
	return err
}

func (s *Service) passSession(ctx context.Context, tx Tx, token string) error {
	sess, err := tx.SessionByHash(ctx, Hash(token))
	if err != nil {
		return err
	}
	sess.MFAPassed = true
	return tx.UpdateSession(ctx, sess)
}

// secondFactorFailed counts a wrong code like a wrong password (towards
// lock-out) and returns the 422 for the code field.
func (s *Service) secondFactorFailed(ctx context.Context, a access.Actor, reason string) error {
	if err := s.fail(ctx, a, true, a.Username, a.IP, reason); err != nil {
		return err
	}
	return apperr.Field("totp_code", "invalid_code", "error.totp_code")
}
