package cli

import (
	"bufio"
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"aftermath/internal/auth"
	"aftermath/internal/sqldb"
	"aftermath/internal/vault"
)

func runUser(ctx context.Context, env *Env, args []string) error {
	return dispatch(ctx, env, args, "user", userUsage, []subcommand{
		{"add", userAdd},
		{"list", userList},
		{"disable", userDisable},
		{"reset-totp", userResetTOTP},
		{"seal-totp", userSealTOTP},
	})
}

const userUsage = `Usage: aftermath user add|list|disable [flags]

  add --email E --name N --org ORG --role ROLE --password-stdin   create an account
  list                                                            list accounts
  disable EMAIL                                                   disable one: ends its sessions, revokes its tokens
  reset-totp EMAIL                                                remove a lost second factor (and its recovery codes)
  seal-totp [--key-file FILE]                                     seal TOTP secrets stored in clear before a key existed

Roles: admin, editor, researcher, contributor, viewer.
`

func userAdd(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "user add", "user add --email E --name N --org ORG --role ROLE --password-stdin")
	dsn := dbFlag(fs, env)
	email := fs.String("email", "", "email address (the sign-in name)")
	name := fs.String("name", "", "the person's name")
	org := fs.String("org", "", "organisation slug (created if new)")
	role := fs.String("role", "", "role in the organisation: admin, editor, researcher, contributor or viewer")
	stdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input (never from a flag: flags show in process lists)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if !*stdin {
		return &ExitError{Code: exitUsage, Err: fmt.Errorf("user add: give the password on standard input with --password-stdin")}
	}
	line, err := bufio.NewReader(env.Stdin).ReadString('\n')
	if err != nil && line == "" {
		return &ExitError{Code: exitUsage, Err: fmt.Errorf("user add: no password on standard input")}
	}
	hash, err := auth.HashPassword(strings.TrimRight(line, "\r\n"))
	if err != nil {
		return &ExitError{Code: exitUsage, Err: fmt.Errorf("user add: %w", err)}
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	u, err := db.CreateUser(ctx, sqldb.NewUser{Email: *email, Name: *name, PasswordHash: hash, OrgSlug: *org, Role: *role})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "user %d %s added (%s in %s)\n", u.ID, u.Email, *role, *org)
	return nil
}

func userList(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "user list", "user list")
	dsn := dbFlag(fs, env)
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := openExistingDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	users, err := db.Users(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tEMAIL\tNAME\tROLES\tSECOND FACTOR\tSTATUS")
	for _, u := range users {
		var roles []string
		for _, m := range u.Memberships {
			roles = append(roles, m.Role+"@"+m.OrgSlug)
		}
		status, totp := "active", "no"
		if u.Disabled {
			status = "disabled"
		}
		if u.TOTP {
			totp = "yes"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", u.ID, u.Email, u.Name, strings.Join(roles, ","), totp, status)
	}
	return tw.Flush()
}

func userDisable(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "user disable", "user disable EMAIL")
	dsn := dbFlag(fs, env)
	ref, err := parseRef(fs, args, "account (email)")
	if err != nil {
		return err
	}
	db, err := openExistingDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	u, err := db.UserByEmail(ctx, ref)
	if err != nil {
		return err
	}
	if err := db.SetUserDisabled(ctx, u.ID, true); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "user %s disabled; sessions ended and API tokens revoked\n", u.Email)
	return nil
}

// userResetTOTP removes a second factor for someone who lost both the
// phone and the recovery codes: on the web, replacing one needs a current
// code. The data key that sealed the secret is destroyed.
func userResetTOTP(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "user reset-totp", "user reset-totp EMAIL")
	dsn := dbFlag(fs, env)
	ref, err := parseRef(fs, args, "account (email)")
	if err != nil {
		return err
	}
	db, err := openExistingDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	u, err := db.UserByEmail(ctx, ref)
	if err != nil {
		return err
	}
	if err := db.Accounts(nil).SetTOTP(ctx, u.ID, "", nil); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "user %s: second factor removed; they can enrol a new one on /account\n", u.Email)
	return nil
}

// userSealTOTP seals, with the key-encryption key, the TOTP secrets that
// were stored in clear before the installation had a key (sign-in also
// seals each one when it is next used).
func userSealTOTP(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "user seal-totp", "user seal-totp [--key-file FILE]")
	dsn := dbFlag(fs, env)
	kf := keyFileFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	kek, err := vault.Load(keyPath(env, *kf, *dsn))
	if err != nil {
		return err
	}
	db, err := openExistingDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	n, err := db.Accounts(kek).SealClearTOTP(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "%d TOTP secrets sealed with key %s\n", n, kek.ID())
	return nil
}

func runToken(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 || args[0] != "create" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fmt.Fprintln(env.Stdout, "Usage: aftermath token create --email E --name WHAT-FOR")
			return nil
		}
		return &ExitError{Code: exitUsage, Err: fmt.Errorf("token: say create")}
	}
	fs := newFlags(env, "token create", "token create --email E --name WHAT-FOR\n\nCreates a personal API token for scripts (Authorization: Bearer TOKEN). It is shown once; only its hash is stored.")
	dsn := dbFlag(fs, env)
	email := fs.String("email", "", "whose token")
	name := fs.String("name", "", "what the token is for")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	db, err := openExistingDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	u, err := db.UserByEmail(ctx, *email)
	if err != nil {
		return err
	}
	if u.Disabled {
		return &ExitError{Code: exitUsage, Err: fmt.Errorf("token create: %s is disabled", u.Email)}
	}
	tok, err := auth.NewToken(auth.APITokenPrefix)
	if err != nil {
		return err
	}
	if err := db.CreateAPIToken(ctx, u.ID, *name, auth.HashToken(tok)); err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, tok)
	return nil
}
