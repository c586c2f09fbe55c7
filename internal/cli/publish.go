package cli

import (
	"context"
	"errors"
	"fmt"
	iofs "io/fs"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"aftermath"
	"aftermath/internal/i18n"
	"aftermath/internal/publish"
	"aftermath/internal/site"
	"aftermath/internal/sqldb"
	"aftermath/internal/vault"
)

// runPublish writes the static site: the web handler, wired as serve
// wires it, crawled as an anonymous visitor (internal/site), so the site
// shows exactly what the public pages show.
func runPublish(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "publish", "publish --out DIR [--base-url https://HOST] [--lang en,fr,ar] [--sign KEYFILE] [--min-count N] [--db DB]\n\n"+
		"Writes a static, self-contained site of everything public to DIR (replacing a site written there before),\n"+
		"with DIR/SHA256SUMS and, with --sign, DIR/SHA256SUMS.sig (ssh-keygen -Y verify -n "+publish.SignatureNamespace+").")
	dsn := dbFlag(fs, env)
	out := fs.String("out", "", "the directory to write: new, empty, or holding a site written before")
	baseURL := fs.String("base-url", "", "the address the site will be reached at, https://HOST[/PATH]; for og:url and the feed's links")
	langs := fs.String("lang", "en,fr,ar", "the languages to write, comma-separated; each gets DIR/LANG/")
	sign := fs.String("sign", "", "an unprotected OpenSSH Ed25519 private key to sign SHA256SUMS with")
	minCount := fs.Int("min-count", sqldb.DefaultPublicMinCount, "the fewest testimonies or organisations a public count shows; smaller counts read \"fewer than N\"")
	kf := keyFileFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return &ExitError{Code: exitUsage, Err: errors.New("publish: say where to write the site with --out DIR")}
	}
	if *minCount < 1 {
		return &ExitError{Code: exitUsage, Err: errors.New("publish: --min-count is at least 1")}
	}
	opt := site.Options{Out: *out, BaseURL: *baseURL}
	for _, l := range strings.Split(*langs, ",") {
		if l = strings.TrimSpace(l); l != "" {
			if loc, ok := i18n.Default().Lookup(l); !ok || loc.Tag() != l {
				return &ExitError{Code: exitUsage, Err: fmt.Errorf("publish: --lang: no language %q (have %s)", l, strings.Join(i18n.Default().Languages(), ", "))}
			}
			opt.Langs = append(opt.Langs, l)
		}
	}
	if *sign != "" {
		signer, err := publish.LoadSigningKey(*sign)
		if err != nil {
			return &ExitError{Code: exitUsage, Err: fmt.Errorf("publish: %w", err)}
		}
		opt.Signer = signer
	}
	db, err := openExistingDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetPublicMinCount(*minCount) // the store suppresses, for every public page the crawl reads
	log := slog.New(slog.NewTextHandler(env.Stderr, nil))
	srv, err := newSite(db, log, "publish", *baseURL)
	if err != nil {
		return err
	}
	// Approved public quotes are testimony: readable only with the key.
	keyFile := keyPath(env, *kf, *dsn)
	if kek, err := vault.Load(keyFile); err == nil {
		srv.SetVoices(db.Voices(kek))
	} else if errors.Is(err, iofs.ErrNotExist) {
		log.Warn("no key-encryption key: the site has no quotes from testimony", "key_file", keyFile)
	} else {
		return fmt.Errorf("publish: %w", err)
	}
	if opt.Feed, err = feedEntries(ctx, db); err != nil {
		return err
	}
	start := time.Now()
	rep, err := site.Build(ctx, srv.Handler(), opt)
	if err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	fmt.Fprintf(env.Stdout, "publish: %d files (%d pages), %d bytes in %s (%d linked URLs answered otherwise than 200 and are left out), in %.1fs\n",
		rep.Files, rep.Pages, rep.Bytes, *out, len(rep.Skipped), time.Since(start).Seconds())
	return nil
}

// feedEntries are the briefs and published claims an anonymous reader may
// see, for the site's Atom feed: the service decides which briefs those
// are, as it does for the pages.
func feedEntries(ctx context.Context, db *sqldb.DB) ([]site.FeedEntry, error) {
	var entries []site.FeedEntry
	for off := 0; ; off += 1000 {
		briefs, err := db.Briefs(ctx, aftermath.Anonymous, aftermath.BriefFilter{Limit: 1000, Offset: off})
		if err != nil {
			return nil, err
		}
		for _, b := range briefs {
			entries = append(entries, site.FeedEntry{ID: "tag:aftermath,2000:briefs/" + b.Slug, Title: b.Title, Summary: b.Summary,
				Path: "/briefs/" + b.Slug, Updated: b.UpdatedAt})
		}
		if len(briefs) < 1000 {
			break
		}
	}
	claims, err := db.Claims(ctx, aftermath.Anonymous, aftermath.ClaimFilter{PublishedOnly: true})
	if err != nil {
		return nil, err
	}
	for _, c := range claims {
		if !c.Published {
			continue
		}
		id := strconv.FormatInt(c.ID, 10)
		up, err := time.Parse(time.DateOnly, c.PublishedDate)
		if err != nil {
			up, _ = time.Parse(time.DateOnly, c.Date)
		}
		title := c.Author.Name + ": " + c.Text
		if c.Verdict != "" {
			title += " (" + c.Verdict + ")"
		}
		entries = append(entries, site.FeedEntry{ID: "tag:aftermath,2000:claims/" + id, Title: title, Path: "/claims/" + id, Updated: up})
	}
	return entries, nil
}
