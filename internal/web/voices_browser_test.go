package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"aftermath"
	"aftermath/internal/auth"
	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
	"aftermath/internal/vault"
)

// TestTestimonyFormWithoutJavaScript submits testimony in Chromium with
// JavaScript switched off, in English, French and Arabic: the form must
// work on a phone whose browser runs no script.
func TestTestimonyFormWithoutJavaScript(t *testing.T) {
	db := sqldbtest.Open(t, sqldb.SQLite)
	srv, err := newServer(db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	kek, _ := vault.GenerateKEK()
	srv.SetVoices(db.Voices(kek))
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	hash, _ := auth.HashPassword("a long enough password")
	u, err := db.CreateUser(context.Background(), sqldb.NewUser{Email: "aicha@example.org", Name: "Aïcha", PasswordHash: hash, OrgSlug: "partner", Role: aftermath.RoleContributor})
	if err != nil {
		t.Fatal(err)
	}
	sess, _ := auth.NewToken(auth.SessionPrefix)
	if err := db.CreateSession(context.Background(), u.ID, auth.HashToken(sess), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	ctx := browser(t)
	noScript := func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		if _, err := disableScript(ctx, tg); err != nil {
			return chromedp.Void{}, err
		}
		_, err := cdp.Call(ctx, tg, network.SetCookie, network.SetCookieParams{Name: "aftermath_session", Value: sess, URL: ts.URL})
		return chromedp.Void{}, err
	}
	css := func(sel string) chromedp.CSS { return chromedp.CSS(sel) }
	// The first action starts the browser; it runs under ctx itself, so
	// that the shorter contexts of the steps below do not stop it.
	if err := chromedp.Do(ctx, noScript); err != nil {
		t.Fatal(err)
	}
	for lang, c := range map[string]struct{ body, created, dir string }{
		"en": {"The patrol burned the granary.", "Saved and submitted for review.", "ltr"},
		"fr": {"La patrouille a brûlé le grenier.", "Enregistré et soumis pour relecture.", "ltr"},
		"ar": {"أحرقت الدورية مخزن الحبوب.", "حُفظت وأُرسلت للمراجعة.", "rtl"},
	} {
		steps := []chromedp.Action[chromedp.Void]{
			noScript,
			chromedp.Navigate(ts.URL + "/testimonies/new?lang=" + lang),
			chromedp.WaitReady(css(`textarea[name=body]`)),
			clickNoScript(`input[name=consent_level][value=anonymous-publication]`),
			clickNoScript(`input[name=consent_method][value=oral]`),
			typeNoScript(`input[name=consent_by]`, "Field team"),
			typeNoScript(`textarea[name=body]`, c.body),
			typeNoScript(`input[name=date]`, "2024-05"),
			// Choosing an option sets its selected attribute through the
			// DevTools DOM, not page script.
			chooseNoScript("country", "BFA"),
			chooseNoScript("language", lang),
			clickNoScript(`input[name=theme][value=shrinking-civic-space]`),
			clickNoScript(`form[action="/testimonies"] button[type=submit]`),
			chromedp.WaitReady(css(`p.notice`)),
		}
		for i, st := range steps {
			sctx, cancel := context.WithTimeout(ctx, 60*time.Second)
			err := chromedp.Do(sctx, st)
			cancel()
			if err != nil {
				loc, _ := chromedp.Run(ctx, chromedp.Location())
				t.Fatalf("%s: step %d: %v; on %s:\n%s", lang, i, err, loc, pageHTML(t, ctx))
			}
		}
		page := pageHTML(t, ctx)
		if !strings.Contains(page, c.created) || !strings.Contains(page, `dir="`+c.dir+`"`) || !strings.Contains(page, c.body) {
			t.Errorf("%s: after submitting, the page lacks the notice, the direction or the text", lang)
		}
		if strings.Contains(page, "<script") {
			t.Errorf("%s: the page carries script", lang)
		}
		loc, err := chromedp.Run(ctx, chromedp.Location())
		if err != nil || !strings.Contains(loc, "/testimonies/") {
			t.Errorf("%s: landed on %s", lang, loc)
		}
	}
	list, err := db.Testimonies(context.Background(), aftermath.System, sqldb.TestimonyFilter{})
	if err != nil || len(list) != 3 {
		t.Fatalf("stored %d testimonies (%v), want 3", len(list), err)
	}
	for _, s := range list {
		if s.Country != "BFA" || s.ConsentLevel != aftermath.ConsentAnonymous || len(s.Themes) != 1 {
			t.Errorf("stored %+v", s)
		}
	}
}
