package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"aftermath"
	"aftermath/internal/auth"
)

// maxUpload bounds an uploaded file (GED's full release is about 450 MB
// as CSV, much less as ZIP).
const maxUpload = 1 << 30

// limitBody caps a request body before anything reads it.
func limitBody(n int64, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, n)
		h(w, r)
	}
}

// upload stores the file and queues its import; the job page follows it.
func (s *Server) upload(w http.ResponseWriter, r *http.Request) {
	u := userOf(r.Context())
	l := s.bundle.Negotiate(r)
	if !auth.Can(u, auth.ActionImport) {
		http.Error(w, l.T("error.forbidden"), http.StatusForbidden)
		return
	}
	dataset := r.PostFormValue("dataset")
	if dataset != aftermath.DatasetUCDP && dataset != aftermath.DatasetACLED {
		http.Error(w, l.T("error.invalid_request"), http.StatusBadRequest)
		return
	}
	// Refused at once when the dataset is another organisation's; the
	// import checks again when it runs.
	if err := s.db.CheckImportInto(r.Context(), aftermath.ImportAs{User: u}, dataset); err != nil {
		s.PageError(w, r, err)
		return
	}
	f, hdr, err := r.FormFile("file")
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(w, l.T("error.invalid_request"), http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, l.T("error.invalid_request"), http.StatusBadRequest)
		return
	}
	defer f.Close()
	// The file keeps its own name (the importer reads the version from it)
	// in a directory of its own.
	name := filepath.Base(strings.ReplaceAll(hdr.Filename, `\`, "/"))
	if name == "." || name == "/" || strings.HasPrefix(name, ".") {
		name = "upload.csv"
	}
	if err := os.MkdirAll(s.uploadDir, 0o700); err != nil {
		s.PageError(w, r, err)
		return
	}
	dir, err := os.MkdirTemp(s.uploadDir, "job-")
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	path := filepath.Join(dir, name)
	out, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o600)
	if err == nil {
		_, err = io.Copy(out, f)
		if cerr := out.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		os.RemoveAll(dir)
		s.PageError(w, r, err)
		return
	}
	j := &aftermath.Job{Dataset: dataset, Version: strings.TrimSpace(r.PostFormValue("version")), FilePath: path, FileName: name, CreatedBy: u.ID}
	if err := s.db.CreateJob(r.Context(), j); err != nil {
		os.RemoveAll(dir)
		s.PageError(w, r, err)
		return
	}
	s.wakeJobs()
	http.Redirect(w, r, fmt.Sprintf("/jobs/%d", j.ID), http.StatusSeeOther)
}

type jobPage struct {
	page
	Job     *aftermath.Job
	Percent int64
	Refresh bool
}

func (s *Server) job(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var j *aftermath.Job
	if err == nil {
		// A job is its uploader's and their organisation's admins'.
		j, err = s.db.JobFor(r.Context(), userOf(r.Context()), id)
	}
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	p := jobPage{page: s.newPage(w, r, "upload.title"), Job: j}
	if s.JobProgress != nil && j.State == "running" {
		if done, total, ok := s.JobProgress(j.ID); ok {
			j.DoneBytes, j.TotalBytes = done, total
		}
	}
	if j.TotalBytes > 0 {
		p.Percent = min(100, j.DoneBytes*100/j.TotalBytes)
	}
	p.Refresh = j.State == "queued" || j.State == "running"
	w.Header().Set("Cache-Control", "no-store")
	if p.Refresh {
		// Watching without JavaScript: the browser reloads the page.
		w.Header().Set("Refresh", "2")
	}
	s.render(w, r, http.StatusOK, "job.html", p)
}

// wakeJobs counts a queued job and tells the job runner, if one runs in
// this process, that there is work, so an upload starts at once rather
// than at the next poll.
func (s *Server) wakeJobs() {
	s.Metrics().JobQueued()
	if s.JobsWake != nil {
		select {
		case s.JobsWake <- struct{}{}:
		default:
		}
	}
}
