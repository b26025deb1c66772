package cli_test

import (
	"bytes"
	"context"
	"database/sql"
	"strings"
	"testing"

	"github.com/qifu/qifu/internal/cli"
	"github.com/qifu/qifu/internal/store"
	"github.com/qifu/qifu/internal/store/storetest"
)

type result struct {
	out, errOut string
	err         error
}

func run(env map[string]string, args ...string) result {
	var out, errOut bytes.Buffer
	getenv := func(k string) string { return env[k] }
	err := cli.Run(context.Background(), args, getenv, &out, &errOut)
	return result{out: out.String(), errOut: errOut.String(), err: err}
}

// each runs fn with a --db value for a fresh database on every engine.
func each(t *testing.T, fn func(t *testing.T, dbArg string, raw *sql.DB, d store.Dialect)) {
	for _, d := range storetest.Engines {
		t.Run(string(d), func(t *testing.T) {
			dialect, dsn := storetest.DSN(t, d)
			arg, driver, rawDSN := dsn, "pgx", dsn
			if dialect == store.SQLite {
				arg, driver, rawDSN = "sqlite:"+dsn, "sqlite", "file:"+dsn+"?_pragma=busy_timeout(10000)"
			}
			raw, err := sql.Open(driver, rawDSN)
			if err != nil {
				t.Fatal(err)
			}
			defer raw.Close()
			fn(t, arg, raw, dialect)
		})
	}
}

func TestUserAndTokenCreate(t *testing.T) {
	each(t, func(t *testing.T, db string, raw *sql.DB, d store.Dialect) {
		r := run(nil, "user", "create", "--db", db, "--username", "chief", "--password", "Root-Admin-2026!", "--role", "city_admin")
		if r.err != nil {
			t.Fatalf("user create: %v (%s)", r.err, r.errOut)
		}
		bad := []struct {
			args []string
			want string // what the one-line reason must mention
		}{
			{[]string{"--username", "weak", "--password", "short", "--role", "auditor"}, "password"},
			{[]string{"--username", "x1y", "--password", "Root-Admin-2026!", "--role", "king"}, "role"},
			{[]string{"--username", "s1x", "--password", "Root-Admin-2026!", "--role", "street_staff", "--org", "P404"}, "org_code"},
			{[]string{"--username", "chief", "--password", "Root-Admin-2026!", "--role", "auditor"}, "username"},
		}
		for _, b := range bad {
			r := run(map[string]string{"QIFU_LANG": "en"}, append([]string{"user", "create", "--db", db}, b.args...)...)
			if r.err == nil {
				t.Errorf("user create %v succeeded", b.args)
				continue
			}
			msg := cli.Message(r.err, func(k string) string { return map[string]string{"QIFU_LANG": "en"}[k] })
			if strings.Contains(msg, "\n") || !strings.Contains(msg, b.want) {
				t.Errorf("user create %v: reason %q, want one line naming %s", b.args, msg, b.want)
			}
		}
		r = run(nil, "token", "create", "--db", db, "--username", "chief", "--name", "ci")
		tok := strings.TrimSpace(r.out)
		if r.err != nil || !strings.HasPrefix(tok, "qf_") || strings.Count(r.out, "\n") != 1 {
			t.Fatalf("token create printed %q, err %v; want one line with a token", r.out, r.err)
		}
		var n int
		raw.QueryRow(store.Rebind(d, "SELECT COUNT(*) FROM api_tokens WHERE token_hash = ?"), tok).Scan(&n)
		if n != 0 {
			t.Error("the token is stored in clear")
		}
		if r := run(nil, "token", "create", "--db", db, "--username", "ghost"); r.err == nil {
			t.Error("token for an unknown user succeeded")
		}
	})
}

func TestAuditVerifyFailsAfterAHandEdit(t *testing.T) {
	each(t, func(t *testing.T, db string, raw *sql.DB, d store.Dialect) {
		for _, u := range []string{"alice", "bobby", "carol"} {
			if r := run(nil, "user", "create", "--db", db, "--username", u, "--password", "Audit-Trail-2026!", "--role", "auditor"); r.err != nil {
				t.Fatal(r.err)
			}
		}
		r := run(nil, "audit", "verify", "--db", db)
		if r.err != nil || !strings.Contains(r.out, "intact") {
			t.Fatalf("verify before the edit: %q %v", r.out, r.err)
		}
		// Someone with database access hides who created bobby.
		if _, err := raw.Exec(store.Rebind(d, "UPDATE audit_entries SET username = ? WHERE object_id = ?"), "nobody", "bobby"); err != nil {
			t.Fatal(err)
		}
		r = run(nil, "audit", "verify", "--db", db)
		if r.err == nil || !strings.Contains(r.err.Error(), "seq 2") {
			t.Fatalf("verify after the edit: out %q err %v; want a failure at seq 2", r.out, r.err)
		}
	})
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{{}, {"frobnicate"}, {"user"}, {"serve", "--no-such-flag"}} {
		r := run(nil, args...)
		var ue *cli.UsageError
		if r.err == nil || !errorsAs(r.err, &ue) {
			t.Errorf("qifu %v: err %v, want a usage error", args, r.err)
		}
	}
	if r := run(nil, "version"); r.err != nil || !strings.HasPrefix(r.out, "qifu ") {
		t.Errorf("version: %q %v", r.out, r.err)
	}
}

func errorsAs(err error, target **cli.UsageError) bool {
	ue, ok := err.(*cli.UsageError)
	if ok {
		*target = ue
	}
	return ok
}

func TestDemoScale(t *testing.T) {
	for _, c := range []struct {
		args []string
		says string
	}{
		{[]string{"demo", "--scale", "town"}, `"city" or a number`},
		{[]string{"demo", "--scale", "0"}, `"city" or a number`},
		{[]string{"demo", "--scale", "1", "--years", "0"}, "years must be 1 to 20"},
		{[]string{"demo", "--years", "3"}, "--years goes with --scale"},
	} {
		r := run(nil, append(c.args, "--data", t.TempDir())...)
		if r.err == nil || !strings.Contains(r.err.Error()+r.errOut, c.says) {
			t.Errorf("qifu %v: err %v, stderr %q; want it to say %s", c.args, r.err, r.errOut, c.says)
		}
	}
	each(t, func(t *testing.T, dbArg string, raw *sql.DB, d store.Dialect) {
		r := run(nil, "demo", "--scale", "0.0008", "--years", "2", "--db", dbArg)
		if r.err != nil {
			t.Fatalf("demo --scale: %v\n%s", r.err, r.errOut)
		}
		if !strings.Contains(r.out, "4,000 tickets") || !strings.Contains(r.out, "16,000 live service records") ||
			!strings.Contains(r.errOut, "statistics rebuilt") {
			t.Errorf("demo --scale said:\n%s\n%s", r.out, r.errOut)
		}
		var n int
		if err := raw.QueryRow("SELECT COUNT(*) FROM stats_members").Scan(&n); err != nil || n == 0 {
			t.Errorf("memberships after the scale load: %d %v", n, err)
		}
		if r := run(nil, "demo", "--scale", "0.0008", "--db", dbArg); r.err == nil || !strings.Contains(r.err.Error(), "empty database") {
			t.Errorf("a second scale load: %v", r.err)
		}
	})
}
