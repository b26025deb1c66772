package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/app"
	"github.com/qifu/qifu/internal/auth"
	"github.com/qifu/qifu/internal/demo"
)

// oneShot is the frame of every command that works on the database once:
// the common flags plus those bind adds, the app opened without background
// jobs, fn, and the app closed.
func oneShot(ctx context.Context, name string, args []string, getenv Env, stderr io.Writer,
	bind func(fs *flag.FlagSet), fn func(a *app.App) error) error {
	fs := newFlags(name, stderr)
	var c common
	c.bind(fs, getenv)
	if bind != nil {
		bind(fs)
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	a, err := c.open(ctx, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	return fn(a)
}

func userCreate(ctx context.Context, args []string, getenv Env, stdout, stderr io.Writer) error {
	var n auth.NewUser
	var role string
	bind := func(fs *flag.FlagSet) {
		fs.StringVar(&n.Username, "username", "", "login name")
		fs.StringVar(&n.Password, "password", "", "initial password")
		fs.StringVar(&role, "role", "", "role")
		fs.StringVar(&n.OrgCode, "org", "", "code of the region, platform, department, institution or enterprise the user belongs to")
		fs.StringVar(&n.DisplayName, "name", "", "display name")
		fs.BoolVar(&n.MustChange, "must-change", false, "require a password change at first login")
	}
	return oneShot(ctx, "user create", args, getenv, stderr, bind, func(a *app.App) error {
		n.Role = access.Role(role)
		u, err := a.Auth.CreateUser(ctx, cliActor(getenv), n)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "created user %s (%s", u.Username, u.Role)
		if u.OrgCode != "" {
			fmt.Fprintf(stdout, ", org %s", u.OrgCode)
		}
		fmt.Fprintln(stdout, ")")
		_, err = a.Audit.Seal(ctx)
		return err
	})
}

func tokenCreate(ctx context.Context, args []string, getenv Env, stdout, stderr io.Writer) error {
	var username, name string
	bind := func(fs *flag.FlagSet) {
		fs.StringVar(&username, "username", "", "user the token acts as")
		fs.StringVar(&name, "name", "", "what the token is for")
	}
	return oneShot(ctx, "token create", args, getenv, stderr, bind, func(a *app.App) error {
		if username == "" {
			return &UsageError{"--username is required"}
		}
		secret, _, err := a.Auth.CreateToken(ctx, cliActor(getenv), username, name)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, secret)
		_, err = a.Audit.Seal(ctx)
		return err
	})
}

func auditVerify(ctx context.Context, args []string, getenv Env, stdout, stderr io.Writer) error {
	return oneShot(ctx, "audit verify", args, getenv, stderr, nil, func(a *app.App) error {
		rep, err := a.Audit.Verify(ctx)
		if err != nil {
			return err
		}
		if !rep.OK() {
			return fmt.Errorf("audit chain broken at seq %d (entry id %d): %s mismatch; %d entries checked before it",
				rep.Broken.Seq, rep.Broken.ID, rep.Broken.Reason, rep.Checked-1)
		}
		fmt.Fprintf(stdout, "audit chain intact: %d entries verified, %d not yet sealed\n", rep.Checked, rep.Unsealed)
		return nil
	})
}

func demoCmd(ctx context.Context, args []string, getenv Env, stdout, stderr io.Writer) error {
	o := demo.Options{NetworkTargets: true}
	bind := func(fs *flag.FlagSet) {
		fs.IntVar(&o.Tickets, "tickets", demo.Tickets, "how many tickets to file over the past year")
		fs.IntVar(&o.Records, "records", demo.Records, "how many services the platforms record over the past year")
	}
	var scale *demo.Scale
	years, yearsSet := 0, false
	bindScale := func(fs *flag.FlagSet) {
		bind(fs)
		fs.Func("scale", "load the data of a city at scale into an empty database: \"city\" (1,000,000 enterprises, 5,000,000 tickets, 20,000,000 service records over 5 years) or a fraction of it (0.01)",
			func(v string) error {
				sc, err := parseScale(v)
				scale = &sc
				return err
			})
		fs.Func("years", "with --scale: the years the tickets and records span (default 5)", func(v string) error {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				return fmt.Errorf("--years: want a number of years, got %q", v)
			}
			years, yearsSet = n, true
			return nil
		})
	}
	return oneShot(ctx, "demo", args, getenv, stderr, bindScale, func(a *app.App) error {
		if scale == nil {
			if yearsSet {
				return &UsageError{"--years goes with --scale"}
			}
			return demo.LoadWith(ctx, a, stdout, o)
		}
		if yearsSet {
			scale.Years = years
		}
		_, err := demo.LoadScale(ctx, a, stdout, stderr, *scale)
		return err
	})
}

// parseScale reads --scale: "city", or a positive fraction (or multiple)
// of it.
func parseScale(v string) (demo.Scale, error) {
	if strings.TrimSpace(v) == "city" {
		return demo.CityScale, nil
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || !(f > 0 && f <= 100) {
		return demo.Scale{}, fmt.Errorf("--scale: want \"city\" or a number above 0 and at most 100, got %q", v)
	}
	return demo.CityScale.Times(f), nil
}
