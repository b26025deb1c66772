package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/qifu/qifu/internal/access"
	"github.com/qifu/qifu/internal/auth"
	"github.com/qifu/qifu/internal/demo"
)

func userCreate(ctx context.Context, args []string, getenv Env, stdout, stderr io.Writer) error {
	fs := newFlags("user create", stderr)
	var c common
	c.bind(fs, getenv)
	username := fs.String("username", "", "login name")
	password := fs.String("password", "", "initial password")
	role := fs.String("role", "", "role")
	orgCode := fs.String("org", "", "code of the region, platform, department, institution or enterprise the user belongs to")
	name := fs.String("name", "", "display name")
	mustChange := fs.Bool("must-change", false, "require a password change at first login")
	if err := parse(fs, args); err != nil {
		return err
	}
	a, err := c.open(ctx, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	u, err := a.Auth.CreateUser(ctx, cliActor(getenv), auth.NewUser{Username: *username, Password: *password,
		Role: access.Role(*role), OrgCode: *orgCode, DisplayName: *name, MustChange: *mustChange})
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
}

func tokenCreate(ctx context.Context, args []string, getenv Env, stdout, stderr io.Writer) error {
	fs := newFlags("token create", stderr)
	var c common
	c.bind(fs, getenv)
	username := fs.String("username", "", "user the token acts as")
	name := fs.String("name", "", "what the token is for")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *username == "" {
		return &UsageError{"--username is required"}
	}
	a, err := c.open(ctx, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	secret, _, err := a.Auth.CreateToken(ctx, cliActor(getenv), *username, *name)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, secret)
	_, err = a.Audit.Seal(ctx)
	return err
}

func auditVerify(ctx context.Context, args []string, getenv Env, stdout, stderr io.Writer) error {
	fs := newFlags("audit verify", stderr)
	var c common
	c.bind(fs, getenv)
	if err := parse(fs, args); err != nil {
		return err
	}
	a, err := c.open(ctx, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
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
}

func demoCmd(ctx context.Context, args []string, getenv Env, stdout, stderr io.Writer) error {
	fs := newFlags("demo", stderr)
	var c common
	c.bind(fs, getenv)
	if err := parse(fs, args); err != nil {
		return err
	}
	a, err := c.open(ctx, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	return demo.Load(ctx, a, stdout)
}
