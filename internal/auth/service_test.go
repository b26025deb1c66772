package auth_test

import (
	"context"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/apperr"
	"github.com/qifu/qifu/internal/auth"
	"github.com/qifu/qifu/internal/clock"
	"github.com/qifu/qifu/internal/org"
	"github.com/qifu/qifu/internal/store"
	"github.com/qifu/qifu/internal/store/storetest"
)

var sys = access.SystemActor("test")

type fixture struct {
	auth  *auth.Service
	org   *org.Service
	clock *clock.Fake
	db    *store.DB
}

func setup(t *testing.T, db *store.DB) fixture {
	t.Helper()
	c := clock.NewFake(time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC))
	f := fixture{
		auth:  auth.NewService(store.Repo[auth.Tx]{DB: db}, c, auth.DefaultPolicy),
		org:   org.NewService(store.Repo[org.Tx]{DB: db}, c),
		clock: c,
		db:    db,
	}
	ctx := context.Background()
	for _, r := range []org.Region{
		{Code: "370200", Name: "青岛市", Level: org.LevelCity},
		{Code: "370202", Name: "市南区", Level: org.LevelDistrict, ParentCode: "370200"},
		{Code: "370202001", Name: "八大关街道", Level: org.LevelStreet, ParentCode: "370202"},
	} {
		if _, err := f.org.CreateRegion(ctx, sys, r); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []org.Platform{
		{Code: "P370200", Name: "市平台", Tier: org.TierCity, RegionCode: "370200"},
		{Code: "P370202", Name: "市南区平台", Tier: org.TierDistrict, RegionCode: "370202"},
		{Code: "P370202001", Name: "八大关平台", Tier: org.TierStreet, RegionCode: "370202001"},
	} {
		if _, err := f.org.CreatePlatform(ctx, sys, p); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

const goodPassword = "Zhang-San-2026!"

func (f fixture) user(t *testing.T, name string, role access.Role, orgCode string) auth.User {
	t.Helper()
	u, err := f.auth.CreateUser(context.Background(), sys, auth.NewUser{Username: name, Password: goodPassword, Role: role, OrgCode: orgCode})
	if err != nil {
		t.Fatalf("create %s: %v", name, err)
	}
	return u
}

func TestCreateUserChecksTheOrganisation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		cases := []struct {
			name  string
			in    auth.NewUser
			field string
		}{
			{"street role on a district platform", auth.NewUser{Username: "user1", Role: access.StreetStaff, OrgCode: "P370202"}, "org_code"},
			{"unknown platform", auth.NewUser{Username: "user2", Role: access.DistrictStaff, OrgCode: "P999"}, "org_code"},
			{"platform role without org", auth.NewUser{Username: "user3", Role: access.StreetStaff}, "org_code"},
			{"enterprise with a bad credit code", auth.NewUser{Username: "user4", Role: access.Enterprise, OrgCode: "91370200MA3C8Q1D0X"}, "org_code"},
			{"unknown role", auth.NewUser{Username: "user5", Role: "mayor"}, "role"},
			{"bad username", auth.NewUser{Username: "张三", Role: access.Auditor}, "username"},
		}
		for _, c := range cases {
			c.in.Password = goodPassword
			_, err := f.auth.CreateUser(ctx, sys, c.in)
			if !apperr.Is(err, apperr.Invalid) || apperr.As(err).Field != c.field {
				t.Errorf("%s: err = %v, want 422 on %s", c.name, err, c.field)
			}
		}
		u := f.user(t, "Street.Li", access.StreetStaff, "P370202001")
		if u.Username != "street.li" || u.PlatformPath != "/P370200/P370202/P370202001/" {
			t.Errorf("user %q path %q: want lower-cased name and the platform path", u.Username, u.PlatformPath)
		}
		if _, err := f.auth.CreateUser(ctx, sys, auth.NewUser{Username: "street.li", Password: goodPassword, Role: access.Auditor}); !apperr.HasCode(err, "duplicate_username") {
			t.Errorf("duplicate user: err = %v", err)
		}
		notAdmin := u.Actor()
		if _, err := f.auth.CreateUser(ctx, notAdmin, auth.NewUser{Username: "x9", Password: goodPassword, Role: access.Auditor}); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("street user created a user: err = %v", err)
		}
	})
}

func TestLockoutAfterFiveFailures(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		f.user(t, "wang", access.Auditor, "")
		for i := 0; i < 5; i++ {
			_, err := f.auth.Login(ctx, "wang", "wrong-Password-1", "10.0.0.1", "test")
			if !apperr.HasCode(err, "invalid_credentials") {
				t.Fatalf("failure %d: err = %v", i+1, err)
			}
			f.clock.Advance(time.Minute)
		}
		// Locked now, even with the right password.
		if _, err := f.auth.Login(ctx, "wang", goodPassword, "10.0.0.1", "test"); !apperr.HasCode(err, "account_locked") {
			t.Fatalf("after 5 failures: err = %v, want account_locked", err)
		}
		// The lock began with the fifth failure, one minute ago.
		f.clock.Advance(13 * time.Minute)
		if _, err := f.auth.Login(ctx, "wang", goodPassword, "10.0.0.1", "test"); !apperr.HasCode(err, "account_locked") {
			t.Fatalf("14 minutes after the lock: err = %v, want still locked", err)
		}
		f.clock.Advance(2 * time.Minute)
		if _, err := f.auth.Login(ctx, "wang", goodPassword, "10.0.0.1", "test"); err != nil {
			t.Fatalf("after the lock ended: %v", err)
		}
	})
}

func TestFailuresSpreadOverMoreThanFifteenMinutesDoNotLock(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		f.user(t, "zhao", access.Auditor, "")
		for i := 0; i < 6; i++ {
			f.auth.Login(ctx, "zhao", "nope-Nope-123", "10.0.0.1", "test")
			f.clock.Advance(4 * time.Minute) // at most 4 failures fall in any 15 minutes
		}
		if _, err := f.auth.Login(ctx, "zhao", goodPassword, "10.0.0.1", "test"); err != nil {
			t.Fatalf("login: %v", err)
		}
	})
}

func TestUnknownAndDisabledUsersGetTheSameAnswer(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		f.user(t, "chen", access.Auditor, "")
		disabled := true
		if _, err := f.auth.UpdateUser(ctx, sys, "chen", auth.UserPatch{Disabled: &disabled}); err != nil {
			t.Fatal(err)
		}
		_, e1 := f.auth.Login(ctx, "nobody", goodPassword, "", "")
		_, e2 := f.auth.Login(ctx, "chen", goodPassword, "", "")
		if !apperr.HasCode(e1, "invalid_credentials") || !apperr.HasCode(e2, "invalid_credentials") {
			t.Errorf("unknown: %v; disabled: %v; want invalid_credentials for both", e1, e2)
		}
	})
}

func TestSessionIdleTimeout(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		f.user(t, "sun", access.Auditor, "")
		l, err := f.auth.Login(ctx, "sun", goodPassword, "", "")
		if err != nil {
			t.Fatal(err)
		}
		// Active every 20 minutes for two hours: the session lives.
		for i := 0; i < 6; i++ {
			f.clock.Advance(20 * time.Minute)
			if _, _, err := f.auth.SessionUser(ctx, l.Token); err != nil {
				t.Fatalf("after %d×20 min of activity: %v", i+1, err)
			}
		}
		f.clock.Advance(31 * time.Minute)
		if _, _, err := f.auth.SessionUser(ctx, l.Token); !apperr.HasCode(err, "session_expired") {
			t.Fatalf("after 31 idle minutes: err = %v, want session_expired", err)
		}
		// Ended for good, not just refused once.
		if _, _, err := f.auth.SessionUser(ctx, l.Token); !apperr.Is(err, apperr.Unauthorized) {
			t.Fatalf("expired session came back: %v", err)
		}
	})
}

func TestSessionMaximumAge(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		f.user(t, "zhou", access.Auditor, "")
		l, _ := f.auth.Login(ctx, "zhou", goodPassword, "", "")
		for i := 0; i < 12*3; i++ { // 12 hours of activity every 20 minutes
			f.clock.Advance(20 * time.Minute)
			f.auth.SessionUser(ctx, l.Token)
		}
		f.clock.Advance(time.Minute)
		if _, _, err := f.auth.SessionUser(ctx, l.Token); !apperr.Is(err, apperr.Unauthorized) {
			t.Fatalf("session older than 12 hours still valid: %v", err)
		}
	})
}

func TestStaffMustEnrolTOTPThenVerify(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		u := f.user(t, "admin.qian", access.CityAdmin, "")
		l, err := f.auth.Login(ctx, "admin.qian", goodPassword, "", "")
		if err != nil {
			t.Fatal(err)
		}
		step, _ := f.auth.NextStep(ctx, l.User, l.Session)
		if step != auth.StepTOTPEnrol {
			t.Fatalf("first login step = %q, want totp_enrol", step)
		}
		url, err := f.auth.BeginTOTP(ctx, u.Actor(), "企服")
		if err != nil {
			t.Fatal(err)
		}
		key, _ := otp.NewKeyFromURL(url)
		if _, err := f.auth.ConfirmTOTP(ctx, u.Actor(), l.Token, "000000"); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("wrong code accepted at enrolment: %v", err)
		}
		code, _ := totp.GenerateCode(key.Secret(), f.clock.Now())
		codes, err := f.auth.ConfirmTOTP(ctx, u.Actor(), l.Token, code)
		if err != nil || len(codes) != auth.RecoveryCodeCount {
			t.Fatalf("confirm: %v, %d recovery codes", err, len(codes))
		}
		sess, user, _ := f.auth.SessionUser(ctx, l.Token)
		if step, _ := f.auth.NextStep(ctx, user, sess); step != auth.StepDone {
			t.Fatalf("after enrolment step = %q", step)
		}

		// Next login: a code is needed; the same code cannot be replayed.
		f.clock.Advance(time.Minute)
		l2, _ := f.auth.Login(ctx, "admin.qian", goodPassword, "", "")
		if step, _ := f.auth.NextStep(ctx, l2.User, l2.Session); step != auth.StepTOTP {
			t.Fatalf("second login step = %q, want totp", step)
		}
		code, _ = totp.GenerateCode(key.Secret(), f.clock.Now())
		if err := f.auth.VerifyTOTP(ctx, u.Actor(), l2.Token, code); err != nil {
			t.Fatalf("verify: %v", err)
		}
		l3, _ := f.auth.Login(ctx, "admin.qian", goodPassword, "", "")
		if err := f.auth.VerifyTOTP(ctx, u.Actor(), l3.Token, code); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("replayed code accepted: %v", err)
		}
		// A recovery code works once.
		if err := f.auth.VerifyRecovery(ctx, u.Actor(), l3.Token, codes[0]); err != nil {
			t.Fatalf("recovery code: %v", err)
		}
		l4, _ := f.auth.Login(ctx, "admin.qian", goodPassword, "", "")
		if err := f.auth.VerifyRecovery(ctx, u.Actor(), l4.Token, codes[0]); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("recovery code used twice: %v", err)
		}
	})
}

func TestEnterpriseNeedsNoTOTPAndRequirementCanBeOff(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		f.user(t, "acme", access.Enterprise, "91350100M000100Y43")
		l, _ := f.auth.Login(ctx, "acme", goodPassword, "", "")
		if step, _ := f.auth.NextStep(ctx, l.User, l.Session); step != auth.StepDone {
			t.Errorf("enterprise step = %q, want none", step)
		}
		f.user(t, "auditor.wu", access.Auditor, "")
		if err := f.auth.SetRequireTOTP(ctx, sys, false); err != nil {
			t.Fatal(err)
		}
		l, _ = f.auth.Login(ctx, "auditor.wu", goodPassword, "", "")
		if step, _ := f.auth.NextStep(ctx, l.User, l.Session); step != auth.StepDone {
			t.Errorf("staff step with two-factor off = %q, want none", step)
		}
	})
}

func TestMustChangePasswordAndChange(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		f.auth.SetRequireTOTP(ctx, sys, false)
		u, err := f.auth.CreateUser(ctx, sys, auth.NewUser{Username: "hexin", Password: goodPassword, Role: access.Auditor, MustChange: true})
		if err != nil {
			t.Fatal(err)
		}
		l, _ := f.auth.Login(ctx, "hexin", goodPassword, "", "")
		other, _ := f.auth.Login(ctx, "hexin", goodPassword, "", "")
		if step, _ := f.auth.NextStep(ctx, l.User, l.Session); step != auth.StepChangePassword {
			t.Fatalf("step = %q, want change_password", step)
		}
		a := u.Actor()
		if err := f.auth.ChangePassword(ctx, a, l.Token, "wrong", "New-Password-2026"); apperr.As(err).Field != "current_password" {
			t.Errorf("wrong current password: %v", err)
		}
		if err := f.auth.ChangePassword(ctx, a, l.Token, goodPassword, "short"); !apperr.HasCode(err, "weak_password") {
			t.Errorf("weak new password: %v", err)
		}
		if err := f.auth.ChangePassword(ctx, a, l.Token, goodPassword, goodPassword); !apperr.HasCode(err, "same_password") {
			t.Errorf("same password: %v", err)
		}
		if err := f.auth.ChangePassword(ctx, a, l.Token, goodPassword, "New-Password-2026"); err != nil {
			t.Fatalf("change: %v", err)
		}
		sess, user, err := f.auth.SessionUser(ctx, l.Token)
		if err != nil {
			t.Fatalf("own session ended by the change: %v", err)
		}
		if step, _ := f.auth.NextStep(ctx, user, sess); step != auth.StepDone {
			t.Errorf("step after change = %q", step)
		}
		if _, _, err := f.auth.SessionUser(ctx, other.Token); err == nil {
			t.Error("another session of the user survived the password change")
		}
		if _, err := f.auth.Login(ctx, "hexin", "New-Password-2026", "", ""); err != nil {
			t.Errorf("login with the new password: %v", err)
		}
	})
}

func TestTokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		f.user(t, "switchboard", access.HotlineOperator, "")
		secret, tok, err := f.auth.CreateToken(ctx, sys, "switchboard", "hotline switchboard")
		if err != nil {
			t.Fatal(err)
		}
		u, err := f.auth.TokenUser(ctx, secret)
		if err != nil || u.Username != "switchboard" {
			t.Fatalf("token user = %v, %v", u.Username, err)
		}
		var stored string
		db.Read(ctx, func(tx *store.Tx) error {
			got, err := tx.TokenByHash(ctx, auth.Hash(secret))
			stored = got.Hash
			return err
		})
		if stored == secret || stored != auth.Hash(secret) {
			t.Error("the token is stored in clear, not as its hash")
		}
		if _, err := f.auth.TokenUser(ctx, secret+"x"); !apperr.Is(err, apperr.Unauthorized) {
			t.Errorf("altered token accepted: %v", err)
		}
		if err := f.auth.RevokeToken(ctx, sys, "switchboard", tok.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.auth.TokenUser(ctx, secret); !apperr.Is(err, apperr.Unauthorized) {
			t.Errorf("revoked token accepted: %v", err)
		}
	})
}
