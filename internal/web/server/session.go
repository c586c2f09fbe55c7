package server

import (
	"context"
	"crypto/subtle"
	"io"
	"net/http"
	"reflect"
	"strings"
	"time"

	"aftermath"
	"aftermath/internal/auth"
)

// Cookie names. Sessions live in the database, so several serve processes
// behind one load balancer share them.
const (
	sessionCookie = "aftermath_session"
	csrfCookie    = "aftermath_csrf"
	csrfField     = "csrf"
	sessionLength = 12 * time.Hour
)

type ctxKey int

const (
	userKey ctxKey = iota
	viewerKey
	tokenKey
)

// userOf returns the signed-in user of a request, nil when anonymous.
func userOf(ctx context.Context) *aftermath.User {
	u, _ := ctx.Value(userKey).(*aftermath.User)
	return u
}

// viewerOf returns who is reading, for the store's audience rules; the
// zero Viewer (anonymous) when nobody is signed in.
func viewerOf(ctx context.Context) aftermath.Viewer {
	v, _ := ctx.Value(viewerKey).(aftermath.Viewer)
	return v
}

// byToken reports whether the request's user came from an API token
// rather than a browser session (whose writes need a CSRF token).
func byToken(ctx context.Context) bool {
	t, _ := ctx.Value(tokenKey).(bool)
	return t
}

// withSession puts the request's user, if any, and what they may see in
// the request context. The API takes a personal token (Authorization:
// Bearer …); an unknown or revoked one is refused rather than treated as
// anonymous, so a script notices.
func (s *Server) withSession(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		var u *aftermath.User
		var err error
		if authz := r.Header.Get("Authorization"); authz != "" && strings.HasPrefix(r.URL.Path, "/api/") {
			tok, ok := strings.CutPrefix(authz, "Bearer ")
			if ok && strings.TrimSpace(tok) != "" {
				u, err = s.db.APITokenUser(ctx, auth.HashToken(strings.TrimSpace(tok)))
			}
			if !ok || aftermath.ErrorCode(err) == aftermath.ENOTFOUND || (err == nil && u == nil) {
				s.apiError(w, r, aftermath.Errorf(eunauthorized, "the API token is unknown or revoked; send Authorization: Bearer TOKEN"))
				return
			}
			ctx = context.WithValue(ctx, tokenKey, true)
		} else if c, cerr := r.Cookie(sessionCookie); cerr == nil && c.Value != "" {
			u, err = s.db.SessionUser(ctx, auth.HashToken(c.Value))
			if aftermath.ErrorCode(err) == aftermath.ENOTFOUND {
				u, err = nil, nil
			}
		}
		if err != nil {
			s.fail(ctx, w, err)
			return
		}
		if u != nil {
			v, err := s.db.Viewer(ctx, u)
			if err != nil {
				s.fail(ctx, w, err)
				return
			}
			ctx = context.WithValue(context.WithValue(ctx, userKey, u), viewerKey, v)
		}
		h.ServeHTTP(w, r.WithContext(ctx))
	})
}

// csrfToken returns the request's CSRF token, setting the cookie that
// holds it when there is none yet (double-submit: a form's hidden field
// must equal the cookie, which another site can neither read nor set).
func (s *Server) csrfToken(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(csrfCookie); err == nil && len(c.Value) >= 32 {
		return c.Value
	}
	tok, err := auth.NewToken("")
	if err != nil {
		return ""
	}
	s.setCookie(w, r, csrfCookie, tok, 0)
	// Later reads in this request see it too.
	r.AddCookie(&http.Cookie{Name: csrfCookie, Value: tok})
	return tok
}

// maxFormBody caps the body of a form whose route sets no cap of its own
// (the pages' limitBody): enough for any form of text.
const maxFormBody = 1 << 20

// csrfHeader carries the token for a script that posts with fetch; the
// body is then not needed to check it.
const csrfHeader = "X-CSRF-Token"

// maxBytesType is the type of an http.MaxBytesReader: a body already
// capped by its route (the pages' limitBody, before this check) keeps
// its own cap.
var maxBytesType = reflect.TypeOf(http.MaxBytesReader(nil, io.NopCloser(strings.NewReader("")), 1))

// checkCSRF guards a form that only signed-in users may post. What can be
// refused without reading the body is refused first, so that an anonymous
// or cross-site request cannot make the server read (or spool to disk) a
// large body:
//
//  1. a browser's cross-origin request (http.CrossOriginProtection:
//     Sec-Fetch-Site, or Origin against Host);
//  2. a request without the double-submit cookie;
//  3. an anonymous request, or one with an API token (not a browser);
//
// then the body is capped (maxFormBody unless the route set a cap) and the
// form's token must equal the cookie's. CrossOriginProtection alone would
// let through any request with neither Sec-Fetch-Site nor Origin (older
// browsers, some privacy proxies, and a Host rewritten by a proxy make
// the Origin comparison unreliable), so the token stays: it is the check
// that holds whatever the headers say.
func (s *Server) checkCSRF(h http.HandlerFunc) http.HandlerFunc { return s.guardForm(true, h) }

// checkCSRFOpen guards a form that anonymous visitors may post (sign-in,
// sign-out): the same checks but the third.
func (s *Server) checkCSRFOpen(h http.HandlerFunc) http.HandlerFunc { return s.guardForm(false, h) }

func (s *Server) guardForm(signedIn bool, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		refuse := func() {
			// Close rather than drain what the client is still sending.
			w.Header().Set("Connection", "close")
			http.Error(w, s.bundle.Negotiate(r).T("error.csrf"), http.StatusForbidden)
		}
		if s.crossOrigin.Check(r) != nil {
			refuse()
			return
		}
		c, err := r.Cookie(csrfCookie)
		if err != nil || len(c.Value) < 32 {
			refuse()
			return
		}
		if signedIn && (userOf(r.Context()) == nil || byToken(r.Context())) {
			refuse()
			return
		}
		if tok := r.Header.Get(csrfHeader); tok != "" {
			if subtle.ConstantTimeCompare([]byte(c.Value), []byte(tok)) != 1 {
				refuse()
				return
			}
			h(w, r)
			return
		}
		if reflect.TypeOf(r.Body) != maxBytesType {
			r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
		}
		if subtle.ConstantTimeCompare([]byte(c.Value), []byte(r.PostFormValue(csrfField))) != 1 {
			refuse()
			return
		}
		h(w, r)
	}
}

// setCookie sets an HttpOnly, SameSite=Lax cookie, Secure when the server
// speaks TLS or sits behind a TLS proxy (serve --secure-cookies). maxAge 0
// makes a browser-session cookie; negative deletes it.
func (s *Server) setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: s.secure || r.TLS != nil})
}

// startSession signs the user in on this browser.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, u *aftermath.User) error {
	tok, err := auth.NewToken(auth.SessionPrefix)
	if err != nil {
		return err
	}
	if err := s.db.CreateSession(r.Context(), u.ID, auth.HashToken(tok), s.db.CurrentTime().Add(sessionLength)); err != nil {
		return err
	}
	s.setCookie(w, r, sessionCookie, tok, int(sessionLength/time.Second))
	return nil
}

// endSession signs out: the session row goes, and the cookie with it.
func (s *Server) endSession(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(sessionCookie); err == nil {
		if err := s.db.DeleteSession(r.Context(), auth.HashToken(c.Value)); err != nil {
			return err
		}
	}
	s.setCookie(w, r, sessionCookie, "", -1)
	return nil
}
