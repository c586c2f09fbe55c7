package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"aftermath/internal/auth"
	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
)

// With every hashing worker busy and the queue full, a further sign-in is
// refused with 429 and Retry-After at once, without hashing: the memory
// argon2id takes is bounded by the pool, not by the number of attackers.
func TestSignInBusyPoolAnswers429(t *testing.T) {
	pool := auth.NewHashPool(1, 1)
	old := hashPool
	hashPool = pool
	defer func() { hashPool = old }()
	db := sqldbtest.Open(t, sqldb.SQLite)
	srv, _ := New(db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	h := srv.Handler()
	block := make(chan struct{})
	for range 2 { // one running, one queued
		go pool.Do(context.Background(), func() { <-block })
	}
	for deadline := time.Now().Add(5 * time.Second); pool.Admitted() < 2; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the pool did not fill")
		}
	}
	defer close(block)
	const tok = "0123456789abcdef0123456789abcdef0123"
	req := httptest.NewRequest("POST", "/login", strings.NewReader(url.Values{"csrf": {tok}, "email": {"x@example.org"}, "password": {"some password here"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: "aftermath_csrf", Value: tok})
	req.RemoteAddr = "192.0.2.7:1234"
	rec := httptest.NewRecorder()
	start := time.Now()
	h.ServeHTTP(rec, req)
	if took := time.Since(start); took > time.Second {
		t.Errorf("the refused sign-in took %v: it waited or hashed", took)
	}
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") == "" {
		t.Errorf("sign-in with the pool full: %d, Retry-After %q; want 429 with Retry-After", rec.Code, rec.Header().Get("Retry-After"))
	}
	if pool.Runs() != 1 {
		t.Errorf("%d ran, want only the one holding the worker", pool.Runs())
	}
}
