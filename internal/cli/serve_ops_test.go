package cli_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"aftermath/internal/cli"
)

// TestServeLogsJSONAndServesMetrics runs serve with --log-format json and
// a metrics token from the environment: every log line is a JSON object,
// /readyz answers, and /metrics answers that token only.
func TestServeLogsJSONAndServesMetrics(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out, logs := &syncBuffer{}, &syncBuffer{}
	env := func(k string) string {
		if k == "AFTERMATH_METRICS_TOKEN" {
			return "scraper-token"
		}
		return ""
	}
	done := make(chan error, 1)
	go func() {
		done <- cli.Run(ctx, []string{"serve", "--db", filepath.Join(dir, "a.db"), "--addr", "127.0.0.1:0", "--log-format", "json"},
			strings.NewReader(""), out, logs, env)
	}()
	base := awaitOutput(t, out, regexp.MustCompile(`on (http://127\.0\.0\.1:\d+)`), done)[1]
	get := func(path, token string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", base+path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	if code, body := get("/readyz", ""); code != http.StatusOK || body != "ready\n" {
		t.Errorf("/readyz: %d %q", code, body)
	}
	if code, _ := get("/metrics", ""); code != http.StatusUnauthorized {
		t.Errorf("/metrics without the token: %d, want 401", code)
	}
	if code, body := get("/metrics", "scraper-token"); code != http.StatusOK || !strings.Contains(body, `aftermath_http_request_duration_seconds_count{code="2xx",route="GET /readyz"} 1`) {
		t.Errorf("/metrics with the token: %d\n%s", code, body)
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
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) == 0 || lines[0] == "" {
		t.Fatal("serve logged nothing (it warns of the missing --base-url)")
	}
	for _, l := range lines {
		var rec struct{ Time, Level, Msg string }
		if err := json.Unmarshal([]byte(l), &rec); err != nil || rec.Time == "" || rec.Level == "" || rec.Msg == "" {
			t.Errorf("log line is no JSON record (%v): %s", err, l)
		}
	}
}

// TestServeLogFormatIsTextOrJSON: any other format is refused before
// anything starts.
func TestServeLogFormatIsTextOrJSON(t *testing.T) {
	err := cli.Run(context.Background(), []string{"serve", "--db", filepath.Join(t.TempDir(), "a.db"), "--log-format", "xml"},
		strings.NewReader(""), io.Discard, io.Discard, func(string) string { return "" })
	if err == nil || !strings.Contains(err.Error(), "--log-format") {
		t.Errorf("--log-format xml: %v", err)
	}
}

// awaitOutput waits until a starting serve prints what re matches and
// returns the match; serve migrates and seeds a new database first, which
// takes seconds on a busy machine, so it waits for the output, not a time.
func awaitOutput(t *testing.T, out *syncBuffer, re *regexp.Regexp, done <-chan error) []string {
	t.Helper()
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); {
		if m := re.FindStringSubmatch(out.String()); m != nil {
			return m
		}
		select {
		case err := <-done:
			t.Fatalf("serve ended before it printed %s: %v %q", re, err, out.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("serve did not print %s: %q", re, out.String())
	return nil
}
