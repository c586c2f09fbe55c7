package server

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"aftermath"
)

// The one error responder of pages and API: a service's refusal carries a
// code (aftermath.ErrorCode), and the same code answers the same status
// wherever it surfaces. A forbidden or conflicting action is 403/409 on a
// page as in the API, never a 500.

// statusOf is the one table from error codes to HTTP statuses.
var statusOf = map[string]int{
	aftermath.EINVALID:   http.StatusBadRequest,
	aftermath.ENOTFOUND:  http.StatusNotFound,
	aftermath.ECONFLICT:  http.StatusConflict,
	aftermath.EINTERNAL:  http.StatusInternalServerError,
	aftermath.EFORBIDDEN: http.StatusForbidden,
	eunauthorized:        http.StatusUnauthorized,
}

// eunauthorized is the code of the web layer's own refusal of a request
// without a valid API token; a role the policy does not allow is the
// store's EFORBIDDEN.
const eunauthorized = "unauthorized"

// internalMessage is all a reader learns of a fault that is not one of
// ours (the API's wording; pages say internalPageMessage).
const (
	internalMessage     = "internal error; it has been logged"
	internalPageMessage = "Something went wrong on our side; it has been logged."
)

// errorReply is what a failure answers: a status, and the code and message
// the reader may see.
type errorReply struct {
	Status  int
	Code    string
	Message string
}

// replyTo decides the answer to err. An *aftermath.Error's message is
// written for people and shown; any other error is logged and shown as
// nothing of it. A fault of ours (5xx) is logged either way.
func (s *Server) replyTo(r *http.Request, err error) errorReply {
	code := aftermath.ErrorCode(err)
	status, ok := statusOf[code]
	if !ok {
		status = http.StatusInternalServerError
	}
	var ae *aftermath.Error
	if !errors.As(err, &ae) {
		s.logFailure(r.Context(), r, err)
		return errorReply{Status: status, Code: aftermath.EINTERNAL, Message: internalMessage}
	}
	if status >= http.StatusInternalServerError {
		s.logFailure(r.Context(), r, err)
	}
	return errorReply{Status: status, Code: code, Message: err.Error()}
}

func (s *Server) logFailure(ctx context.Context, r *http.Request, err error) {
	s.log.ErrorContext(ctx, "request failed", "path", r.URL.Path, "err", err)
}

// apiError answers an API failure as JSON: {"error":{"code","message"}}.
func (s *Server) apiError(w http.ResponseWriter, r *http.Request, err error) {
	e := s.replyTo(r, err)
	writeJSON(w, e.Status, map[string]any{"error": map[string]string{"code": e.Code, "message": e.Message}})
}

// pageError answers a page's failure in the reader's language: 404 for a
// record that is missing or hidden from the reader (the two are not told
// apart, and the message is not shown), 400 for bad input, 403 and 409
// with the service's reason, and otherwise a logged 500 that reveals
// nothing.
func (s *Server) pageError(w http.ResponseWriter, r *http.Request, err error) {
	e := s.replyTo(r, err)
	switch e.Status {
	case http.StatusForbidden, http.StatusConflict, http.StatusUnauthorized:
		s.errorPage(w, r, e.Status, e.Message)
	case http.StatusNotFound, http.StatusBadRequest:
		s.errorPage(w, r, e.Status, "")
	default:
		s.errorPage(w, r, http.StatusInternalServerError, "") // replyTo has logged it
	}
}

// errorPage has the pages render a failure (ErrorPage).
func (s *Server) errorPage(w http.ResponseWriter, r *http.Request, status int, message string) {
	switch {
	case s.ErrorPage != nil:
		s.ErrorPage(w, r, status, message)
	case status == http.StatusInternalServerError:
		internalError(w)
	default:
		http.Error(w, http.StatusText(status), status)
	}
}

// unmatched answers the requests no route serves (404, or 405 for a
// method a path does not take) with the pages' error page rather than
// the mux's plain text; the API keeps the mux's answers, which no
// browser reads.
func (s *Server) unmatched(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, pattern := mux.Handler(r)
		if pattern != "" || s.ErrorPage == nil || strings.HasPrefix(r.URL.Path, "/api/") {
			mux.ServeHTTP(w, r)
			return
		}
		// The mux's handler says which failure it is (and sets Allow on a
		// 405); its plain-text body is dropped for the page.
		c := &statusCatcher{header: w.Header()}
		h.ServeHTTP(c, r)
		w.Header().Del("Content-Type")
		w.Header().Del("Content-Length")
		s.errorPage(w, r, c.status, "")
	})
}

// statusCatcher keeps the status a handler writes and drops its body.
type statusCatcher struct {
	header http.Header
	status int
}

func (c *statusCatcher) Header() http.Header { return c.header }

func (c *statusCatcher) WriteHeader(status int) {
	if c.status == 0 {
		c.status = status
	}
}

func (c *statusCatcher) Write(b []byte) (int, error) {
	c.WriteHeader(http.StatusOK)
	return len(b), nil
}

// refusalStatus is the status of a page that shows a service's refusal
// on the form or record it concerns: 403 or 409 for a forbidden or
// conflicting action, as anywhere, else otherwise (422 for bad input).
func refusalStatus(err error, otherwise int) int {
	switch aftermath.ErrorCode(err) {
	case aftermath.EFORBIDDEN, aftermath.ECONFLICT:
		return statusOf[aftermath.ErrorCode(err)]
	}
	return otherwise
}

// fail logs the cause and shows a message that reveals nothing of it.
func (s *Server) fail(ctx context.Context, w http.ResponseWriter, err error) {
	s.log.ErrorContext(ctx, "request failed", "err", err)
	internalError(w)
}

func internalError(w http.ResponseWriter) {
	http.Error(w, internalPageMessage, http.StatusInternalServerError)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}
