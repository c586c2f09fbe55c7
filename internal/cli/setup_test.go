package cli_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"aftermath/internal/cli"
)

// TestServePrintsASetupLinkForTheFirstAdmin runs serve on a new database:
// it prints a one-time link; the set-up page refuses without its token,
// creates the first admin with it, and refuses it afterwards.
func TestServePrintsASetupLinkForTheFirstAdmin(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- cli.Run(ctx, []string{"serve", "--db", filepath.Join(dir, "a.db"), "--addr", "127.0.0.1:0"}, strings.NewReader(""), out, io.Discard, func(string) string { return "" })
	}()
	linkRE := regexp.MustCompile(`(http://127\.0\.0\.1:\d+)/setup\?token=(\S+)`)
	var m []string
	for deadline := time.Now().Add(2 * time.Minute); m == nil && time.Now().Before(deadline); {
		if m = linkRE.FindStringSubmatch(out.String()); m != nil {
			break
		}
		select {
		case err := <-done:
			t.Fatalf("serve ended before it listened: %v %q", err, out.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	if m == nil {
		t.Fatalf("no set-up link printed: %q", out.String())
	}
	base, token := m[1], m[2]
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(u string) (int, string) {
		t.Helper()
		res, err := c.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	for _, u := range []string{base + "/setup", base + "/setup?token=" + token + "x"} {
		if code, _ := get(u); code != http.StatusForbidden {
			t.Errorf("%s: %d, want 403", u, code)
		}
	}
	code, page := get(m[0])
	csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(page)
	if code != http.StatusOK || csrf == nil || !strings.Contains(page, `name="password2"`) {
		t.Fatalf("set-up page: %d %s", code, page)
	}
	form := url.Values{"csrf": {csrf[1]}, "token": {token}, "name": {"Amina"}, "email": {"amina@example.org"},
		"password": {"a long enough password"}, "password2": {"a long enough password"}, "org_name": {"Sahel Observatory"}, "org_slug": {"sahel"}}
	res, err := c.PostForm(base+"/setup", form)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/admin/settings?welcome=1" {
		t.Fatalf("set-up: %d → %s", res.StatusCode, res.Header.Get("Location"))
	}
	// Signed in as the new admin, whose organisation now heads the pages,
	// and told what to do next.
	if code, page := get(base + "/admin/settings?welcome=1"); code != http.StatusOK || !strings.Contains(page, "Sahel Observatory") || !strings.Contains(page, "second factor") {
		t.Errorf("settings after set-up: %d", code)
	}
	if code, _ := get(m[0]); code != http.StatusForbidden {
		t.Errorf("the link works a second time: %d", code)
	}
	res, err = c.PostForm(base+"/setup", form)
	if err == nil {
		res.Body.Close()
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("a second set-up with the spent link: %d, want 403", res.StatusCode)
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve stopped with %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop")
	}
}
