package web

import (
	"net/http"
	"strconv"

	"aftermath"
)

type sourcesPage struct {
	page
	Sources []aftermath.Source
}

func (s *Server) sources(w http.ResponseWriter, r *http.Request) {
	list, err := s.db.Sources(r.Context(), viewerOf(r.Context()))
	if err != nil {
		s.fail(r.Context(), w, err)
		return
	}
	s.render(w, r, http.StatusOK, "sources.html", sourcesPage{page: s.newPage(w, r, "sources.title"), Sources: list})
}

// citer is a record that cites a source, for the source's page.
type citer struct {
	aftermath.Citation
	Name, Link string
}

type sourcePage struct {
	page
	S     *aftermath.Source
	Cited []citer
}

func (s *Server) source(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.notFound(w, r)
		return
	}
	src, err := s.db.Source(ctx, viewerOf(ctx), id)
	if aftermath.ErrorCode(err) == aftermath.ENOTFOUND {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.fail(ctx, w, err)
		return
	}
	cs, err := s.db.CitationsOfSource(ctx, viewerOf(ctx), id)
	if err != nil {
		s.fail(ctx, w, err)
		return
	}
	p := sourcePage{page: s.newPage(w, r, "sources.title"), S: src}
	p.Title = src.Title
	names := map[int64]*aftermath.Intervention{}
	for _, c := range cs {
		if c.RecordType != "intervention" { // other record types get pages later
			continue
		}
		iv, ok := names[c.RecordID]
		if !ok {
			if iv, err = s.db.Intervention(ctx, viewerOf(ctx), c.RecordID); err != nil {
				continue
			}
			names[c.RecordID] = iv
		}
		p.Cited = append(p.Cited, citer{Citation: c, Name: iv.Name, Link: "/interventions/" + iv.Slug})
	}
	s.render(w, r, http.StatusOK, "source.html", p)
}
