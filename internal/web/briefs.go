package web

// Briefs in the web app: a list, a brief's page (its text rendered with
// the reader's rights, in the brief's own language), its PDF, and a plain
// form with a preview button, so a brief is written and checked without
// script. Who may write, review and see a brief is the service's
// decision; the pages show what it answers.

import (
	"context"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"aftermath"
	"aftermath/internal/brief"
	"aftermath/internal/briefdoc"
	"aftermath/internal/i18n"
)

func (s *Server) routesBriefs(r *router) {
	r.handle("GET /briefs", Public, s.Cached(s.briefsList))
	r.handle("GET /briefs/new", SignedIn, s.signedIn(s.briefNew))
	r.handle("POST /briefs", Form, s.CheckCSRF(s.signedIn(s.briefSave)))
	r.handle("GET /briefs/{slug}", Public, s.Cached(s.briefShow))
	r.handle("GET /briefs/{slug}/brief.pdf", Public, s.Cached(s.briefPDF))
	r.handle("GET /briefs/{slug}/edit", SignedIn, s.signedIn(s.briefEdit))
	r.handle("POST /briefs/{slug}", Form, s.CheckCSRF(s.signedIn(s.briefSave)))
	r.handle("POST /briefs/{slug}/review", Form, s.CheckCSRF(s.signedIn(s.briefReview)))
}

type briefsPage struct {
	page
	Briefs []aftermath.Brief
}

func (s *Server) briefsList(w http.ResponseWriter, r *http.Request) {
	list, err := s.db.Briefs(r.Context(), viewerOf(r.Context()), aftermath.BriefFilter{})
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "briefs.html", briefsPage{page: s.newPage(w, r, "briefs.title"), Briefs: list})
}

// briefServices are what a brief's embeds read: the pages' own services,
// with the testimony store when the key is loaded.
func (s *Server) briefServices() briefdoc.Services {
	svc := briefdoc.Services{Interventions: s.db, Figures: s.db, Flows: s.db, Records: s.db}
	if vs := s.Voices(); vs != nil {
		svc.Quotes = vs
	}
	return svc
}

// briefDoc is a brief's text as its reader sees it: rendered in the
// brief's language with the reader's rights, or the reason it cannot be.
type briefDoc struct {
	Out      *brief.Output
	Lang     string
	Dir      string
	Problem  string
	Document template.HTML
}

func (s *Server) renderBrief(ctx context.Context, b *aftermath.Brief, body string) briefDoc {
	l, _ := s.bundle.Lookup(b.Language)
	d := briefDoc{Lang: l.Tag(), Dir: l.Dir()}
	out, err := briefdoc.Render(ctx, s.briefServices(), viewerOf(ctx), l, body)
	if err != nil {
		d.Problem = err.Error()
		return d
	}
	d.Out, d.Document = out, out.HTML
	return d
}

type briefPage struct {
	page
	B       *aftermath.Brief
	Doc     briefDoc
	Actions []string // review steps offered to a signed-in reader
	Problem string   // a refused review step
}

func (s *Server) briefOf(w http.ResponseWriter, r *http.Request) (*aftermath.Brief, bool) {
	b, err := s.db.FindBrief(r.Context(), viewerOf(r.Context()), r.PathValue("slug"))
	if err != nil {
		s.PageError(w, r, err)
		return nil, false
	}
	return b, true
}

// reviewActions are the steps that can follow a state; the service
// decides whether this reader may take them.
var reviewActions = map[aftermath.BriefState][]string{
	aftermath.BriefDraft:     {aftermath.BriefSubmit},
	aftermath.BriefInReview:  {aftermath.BriefApprove, aftermath.BriefReturn},
	aftermath.BriefApproved:  {aftermath.BriefPublish, aftermath.BriefReopen},
	aftermath.BriefPublished: {aftermath.BriefUnpublish, aftermath.BriefReopen},
}

func (s *Server) briefShow(w http.ResponseWriter, r *http.Request) {
	b, ok := s.briefOf(w, r)
	if !ok {
		return
	}
	s.showBrief(w, r, b, http.StatusOK, "")
}

func (s *Server) showBrief(w http.ResponseWriter, r *http.Request, b *aftermath.Brief, status int, problem string) {
	p := briefPage{page: s.newPage(w, r, "briefs.title"), B: b, Doc: s.renderBrief(r.Context(), b, b.Body), Problem: problem}
	p.Title = b.Title
	if p.User != nil {
		p.Actions = reviewActions[b.State]
	}
	s.render(w, r, status, "brief.html", p)
}

// pdfPrints bounds the Chromium processes printing at once: each takes
// a second and a few hundred megabytes, and the page cache keeps what
// anonymous readers asked for.
var pdfPrints = make(chan struct{}, 1)

func (s *Server) briefPDF(w http.ResponseWriter, r *http.Request) {
	b, ok := s.briefOf(w, r)
	if !ok {
		return
	}
	doc := s.renderBrief(r.Context(), b, b.Body)
	if doc.Problem != "" {
		http.Error(w, doc.Problem, http.StatusConflict)
		return
	}
	l, _ := s.bundle.Lookup(b.Language)
	paper := "a4"
	if r.URL.Query().Get("paper") == "letter" {
		paper = "letter"
	}
	html, err := (&briefdoc.Page{Brief: b, Out: doc.Out, L: l, Paper: paper}).HTML()
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	select {
	case pdfPrints <- struct{}{}:
	case <-r.Context().Done():
		return
	}
	pdf, err := briefdoc.PDF(r.Context(), html, paper)
	<-pdfPrints
	if errors.Is(err, briefdoc.ErrNoChromium) {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `inline; filename="`+b.Slug+`.pdf"`)
	w.Write(pdf)
}

// briefForm is the form to write or change a brief, with its preview.
type briefForm struct {
	page
	B       *aftermath.Brief // nil: a new brief
	Values  url.Values
	Problem string
	Preview *briefDoc
	Langs3  []string
	Reach   []aftermath.Audience
	Syntax  string
}

func (f briefForm) V(k string) string { return f.Values.Get(k) }

func (s *Server) newBriefForm(w http.ResponseWriter, r *http.Request, b *aftermath.Brief) briefForm {
	f := briefForm{page: s.newPage(w, r, "briefs.form.title"), B: b, Values: url.Values{}, Langs3: aftermath.BriefLanguages, Syntax: brief.Syntax,
		Reach: []aftermath.Audience{aftermath.AudienceInternal, aftermath.AudiencePartners, aftermath.AudiencePublic, aftermath.AudienceConfidential}}
	if b != nil {
		f.Title = b.Title
		for k, v := range map[string]string{"slug": b.Slug, "title": b.Title, "summary": b.Summary, "language": b.Language, "audience": string(b.Audience), "body": b.Body} {
			f.Values.Set(k, v)
		}
	} else {
		f.Values.Set("language", f.L.Tag())
		f.Values.Set("audience", string(aftermath.AudienceInternal))
	}
	return f
}

func (s *Server) briefNew(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "brief_form.html", s.newBriefForm(w, r, nil))
}

func (s *Server) briefEdit(w http.ResponseWriter, r *http.Request) {
	b, ok := s.briefOf(w, r)
	if !ok {
		return
	}
	s.render(w, r, http.StatusOK, "brief_form.html", s.newBriefForm(w, r, b))
}

// briefSave stores a new or changed brief, or, with the preview button,
// renders what was typed without storing it.
func (s *Server) briefSave(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var current *aftermath.Brief
	if slug := r.PathValue("slug"); slug != "" {
		var ok bool
		if current, ok = s.briefOf(w, r); !ok {
			return
		}
	}
	f := s.newBriefForm(w, r, current)
	for _, k := range []string{"slug", "title", "summary", "language", "audience", "body"} {
		f.Values.Set(k, r.PostFormValue(k))
	}
	b := &aftermath.Brief{Slug: f.V("slug"), Title: f.V("title"), Summary: f.V("summary"), Language: f.V("language"),
		Audience: aftermath.Audience(f.V("audience")), Body: strings.ReplaceAll(f.V("body"), "\r\n", "\n")}
	if current != nil {
		b.ID, b.Owner = current.ID, current.Owner
	}
	if r.PostFormValue("preview") != "" {
		if _, ok := s.bundle.Lookup(b.Language); !ok {
			b.Language = f.L.Tag()
		}
		doc := s.renderBrief(ctx, b, b.Body)
		f.Preview = &doc
		s.render(w, r, http.StatusOK, "brief_form.html", f)
		return
	}
	var err error
	if current == nil {
		err = s.db.CreateBrief(ctx, viewerOf(ctx), b)
	} else {
		err = s.db.UpdateBrief(ctx, viewerOf(ctx), b)
	}
	if err != nil {
		if refused(err) {
			f.Problem = err.Error()
			s.render(w, r, refusalStatus(err, http.StatusUnprocessableEntity), "brief_form.html", f)
			return
		}
		s.PageError(w, r, err)
		return
	}
	http.Redirect(w, r, "/briefs/"+url.PathEscape(b.Slug), http.StatusSeeOther)
}

// briefReview takes a review step; a refusal comes back on the brief's
// page with the service's reason (an embed that does not reach the
// audience, four eyes, a missing note).
func (s *Server) briefReview(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	b, ok := s.briefOf(w, r)
	if !ok {
		return
	}
	step := aftermath.BriefReview{Action: r.PostFormValue("action"), Note: strings.TrimSpace(r.PostFormValue("note"))}
	var err error
	for _, line := range strings.Split(r.PostFormValue("overrides"), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		var o aftermath.BriefOverride
		if o, err = aftermath.ParseOverride(line); err != nil {
			break
		}
		step.Overrides = append(step.Overrides, o)
	}
	if err == nil {
		// Publishing checks the text against the identity vault: the
		// store with the key takes the step (without one, it refuses).
		review := s.db.ReviewBrief
		if vs := s.Voices(); vs != nil {
			review = vs.ReviewBrief
		}
		err = review(ctx, viewerOf(ctx), b.ID, step)
	}
	if err != nil {
		if refused(err) {
			s.showBrief(w, r, b, refusalStatus(err, http.StatusUnprocessableEntity), err.Error())
			return
		}
		s.PageError(w, r, err)
		return
	}
	http.Redirect(w, r, "/briefs/"+url.PathEscape(b.Slug), http.StatusSeeOther)
}

// refused says the service turned the request down for a reason the
// reader can act on, shown on the form or page it concerns.
func refused(err error) bool {
	switch aftermath.ErrorCode(err) {
	case aftermath.EINVALID, aftermath.EFORBIDDEN, aftermath.ECONFLICT:
		return true
	}
	return false
}

func init() {
	funcs["briefState"] = func(l *i18n.Locale, st aftermath.BriefState) string { return l.T("briefs.state." + string(st)) }
}
