package web

import (
	"aftermath"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"aftermath/internal/auth"
)

// hashPool bounds the password checks (argon2id, 19 MiB each) of sign-in
// and of the account page: at most 2 × cores run at once and 32 wait;
// beyond that a sign-in answers 429 without hashing, so a flood from many
// addresses costs bounded memory. Tests replace it.
var hashPool = auth.DefaultPool

// accounts is the account store with the testimony key, which also seals
// TOTP secrets; without a key, new second factors are refused.
func (s *Server) accounts() aftermath.AccountStore {
	if s.Voices() != nil {
		return s.Voices().AccountStore()
	}
	return s.db.AccountStore()
}

func (s *Server) authService() *auth.Service {
	return &auth.Service{Accounts: s.accounts(), Pool: hashPool, Now: s.db.CurrentTime}
}

// tooBusy answers a full hashing pool's refusal: 429 with Retry-After.
func tooBusy(w http.ResponseWriter, err error) bool {
	var busy *auth.BusyError
	if !errors.As(err, &busy) {
		return false
	}
	w.Header().Set("Retry-After", fmt.Sprint(int(busy.RetryAfter.Seconds())))
	return true
}

type loginPage struct {
	page
	Next, Email, Message string
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) {
	s.renderLogin(w, r, http.StatusOK, loginPage{Next: safeNext(r.URL.Query().Get("next"))}, "")
}

func (s *Server) renderLogin(w http.ResponseWriter, r *http.Request, status int, p loginPage, msgKey string, args ...any) {
	p.page = s.newPage(w, r, "nav.sign_in")
	p.CSRF = s.CSRFToken(w, r)
	if msgKey != "" {
		p.Message = p.L.T(msgKey, args...)
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, status, "login.html", p)
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	p := loginPage{Email: r.PostFormValue("email"), Next: safeNext(r.PostFormValue("next"))}
	if !s.limiter.allow(clientIP(r), time.Now()) {
		s.renderLogin(w, r, http.StatusTooManyRequests, p, "auth.rate_limited")
		return
	}
	u, err := s.authService().Login(r.Context(), p.Email, r.PostFormValue("password"), strings.TrimSpace(r.PostFormValue("code")))
	var locked *auth.LockedError
	switch {
	case tooBusy(w, err):
		s.renderLogin(w, r, http.StatusTooManyRequests, p, "auth.busy")
		return
	case errors.Is(err, auth.ErrSecondFactor):
		s.renderLogin(w, r, http.StatusUnauthorized, p, "auth.second_factor")
		return
	case errors.As(err, &locked):
		s.renderLogin(w, r, http.StatusUnauthorized, p, "auth.locked", "time", locked.Until.UTC().Format("2006-01-02 15:04"))
		return
	case errors.Is(err, auth.ErrTOTPUnavailable):
		// The password was right but the sealed secret does not open
		// here: say what to do, and log why for the administrator.
		s.log.WarnContext(r.Context(), "sign-in: TOTP secret unavailable", "err", err)
		s.renderLogin(w, r, http.StatusServiceUnavailable, p, "auth.totp_unavailable")
		return
	case errors.Is(err, auth.ErrBadCredentials):
		s.renderLogin(w, r, http.StatusUnauthorized, p, "auth.failed")
		return
	case err != nil:
		s.Fail(r.Context(), w, err)
		return
	}
	if err := s.StartSession(w, r, u); err != nil {
		s.Fail(r.Context(), w, err)
		return
	}
	http.Redirect(w, r, p.Next, http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if err := s.EndSession(w, r); err != nil {
		s.Fail(r.Context(), w, err)
		return
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// safeNext keeps redirects after sign-in on this site: a path of its
// own, with no scheme, no host, and nothing (a backslash, a tab, a
// space) that a browser would drop or turn into a "//" that leaves it.
func safeNext(next string) string {
	u, err := url.Parse(next)
	if err != nil || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || u.Scheme != "" || u.Host != "" ||
		strings.ContainsFunc(next, func(r rune) bool { return r == '\\' || r <= ' ' || r == 0x7f }) {
		return "/"
	}
	return next
}

// clientIP is the peer address; behind a proxy every request shares it,
// which only makes the limit stricter.
func clientIP(r *http.Request) string {
	host := r.RemoteAddr
	if i := strings.LastIndexByte(host, ':'); i > 0 {
		host = host[:i]
	}
	return host
}

// rateLimiter allows a burst of attempts per address, refilled over a
// minute: with the per-account lockout it slows password guessing.
type rateLimiter struct {
	mu      sync.Mutex
	burst   float64
	perSec  float64
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newRateLimiter(perMinute int) *rateLimiter {
	return &rateLimiter{burst: float64(perMinute), perSec: float64(perMinute) / 60, buckets: map[string]*bucket{}}
}

func (l *rateLimiter) allow(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[key]
	if b == nil {
		if len(l.buckets) > 100_000 { // bound memory under a flood of addresses
			clear(l.buckets)
		}
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[key] = b
	}
	b.tokens = min(l.burst, b.tokens+now.Sub(b.last).Seconds()*l.perSec)
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}
