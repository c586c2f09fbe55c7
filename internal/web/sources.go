package web

import (
	"net/http"
	"strconv"
	"strings"

	"aftermath"
)

type sourcesPage struct {
	page
	Sources []aftermath.Source
}

func (s *Server) sources(w http.ResponseWriter, r *http.Request) {
	list, err := s.db.Sources(r.Context(), viewerOf(r.Context()))
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "sources.html", sourcesPage{page: s.newPage(w, r, "sources.title"), Sources: list})
}

// citer is a record that cites a source, for the source's page.
type citer struct {
	aftermath.Citation
	Kind       string // the cited record's kind: intervention, decision …
	Name, Link string
}

type sourcePage struct {
	page
	S     *aftermath.Source
	Cited []citer
}

func (s *Server) source(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, ok := s.idOr404(w, r)
	if !ok {
		return
	}
	src, err := s.db.Source(ctx, viewerOf(ctx), id)
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	cs, err := s.db.CitationsOfSource(ctx, viewerOf(ctx), id)
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	p := sourcePage{page: s.newPage(w, r, "sources.title"), S: src}
	p.Title = src.Title
	v := viewerOf(ctx)
	seen := map[string]citer{}
	for _, c := range cs {
		kind, rid, err := s.db.CitedRecord(ctx, c.RecordType, c.RecordID)
		if err != nil {
			continue
		}
		key := kind + " " + strconv.FormatInt(rid, 10)
		who, ok := seen[key]
		if !ok {
			// Each cited record is read with the reader's rights: what
			// they may not see is left out (the store already filters the
			// citations; this keeps a later change from leaking a name).
			switch kind {
			case "intervention":
				if iv, err := s.db.Intervention(ctx, v, rid); err == nil {
					who = citer{Name: iv.Name, Link: "/interventions/" + iv.Slug}
				}
			case aftermath.RecordDecision:
				if d, err := s.db.Decision(ctx, v, rid); err == nil {
					who = citer{Name: strings.TrimSpace(d.Reference + " " + d.Summary), Link: "/decisions/" + strconv.FormatInt(rid, 10)}
				}
			case aftermath.RecordInquiry:
				if q, err := s.db.Inquiry(ctx, v, rid); err == nil {
					who = citer{Name: q.Title, Link: "/inquiries/" + strconv.FormatInt(rid, 10)}
				}
			case aftermath.RecordRecommendation:
				if rec, err := s.db.Recommendation(ctx, v, rid); err == nil {
					who = citer{Name: rec.Text, Link: "/recommendations/" + strconv.FormatInt(rid, 10)}
				}
			case aftermath.RecordClaim:
				if cl, err := s.db.Claim(ctx, v, rid); err == nil {
					who = citer{Name: cl.Text, Link: "/claims/" + strconv.FormatInt(rid, 10)}
				}
			}
			seen[key] = who
		}
		if who.Link == "" {
			continue
		}
		who.Citation, who.Kind = c, kind
		p.Cited = append(p.Cited, who)
	}
	s.render(w, r, http.StatusOK, "source.html", p)
}
