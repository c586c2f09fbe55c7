package server

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"aftermath"
)

// Reading a request's record ids and filters, the same way for pages and
// API.

// PathID reads the record id of a path ({id}); a value that is not a
// positive integer names no record (ENOTFOUND, like a missing one).
func PathID(r *http.Request) (int64, error) {
	return PathInt(r, "id")
}

// PathInt reads a positive integer path value.
func PathInt(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, aftermath.Errorf(aftermath.ENOTFOUND, "no record %q", r.PathValue(name))
	}
	return id, nil
}

// QueryID reads a record id from a list page's filter; "" is 0.
func QueryID(q url.Values, key string) (int64, error) {
	v := strings.TrimSpace(q.Get(key))
	if v == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, aftermath.Errorf(aftermath.EINVALID, "%s %q is not a record id", key, v)
	}
	return id, nil
}

// QueryFlag reads a yes/no filter: "1", "true", "yes" or "on" is yes.
func QueryFlag(q url.Values, key string) bool {
	switch strings.ToLower(q.Get(key)) {
	case "1", "true", "yes", "on":
		return true
	}
	return false
}

// SubmitOrg is the organisation a testimony goes to when the submitter
// did not say: the only one they may submit to, else none (and the store
// asks which). The testimony form and the API's submission share it.
func SubmitOrg(u *aftermath.User) int64 {
	var org int64
	for _, m := range u.Memberships {
		if m.Role == aftermath.RoleAdmin || m.Role == aftermath.RoleEditor || m.Role == aftermath.RoleContributor {
			if org != 0 {
				return 0
			}
			org = m.OrgID
		}
	}
	return org
}
