package web

import (
	"errors"
	"html/template"
	"io"
	"mime"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"aftermath"
	"aftermath/internal/auth"
	"aftermath/internal/geo"
	"aftermath/internal/i18n"
)

// Voices: testimony submission, review and redaction, the themes matrix
// and the quote bank. Who may do what is decided by the testimony store
// (internal/sqldb/voices.go); these handlers show its answers.

func (s *Server) routesVoices(r *router) {
	r.handle("GET /voices", Public, s.Cached(s.voicesMatrix))
	r.handle("GET /voices/quotes", Public, s.Cached(s.quotes))
	r.handle("GET /testimonies", SignedIn, s.signedIn(s.testimonies))
	r.handle("GET /testimonies/new", SignedIn, s.signedIn(s.testimonyForm))
	r.handle("POST /testimonies", Form, limitBody(maxTestimonyForm, s.CheckCSRF(s.signedIn(s.createTestimony))))
	r.handle("GET /testimonies/{id}", Public, s.testimony)
	r.handle("POST /testimonies/{id}/review", Form, s.CheckCSRF(s.signedIn(s.reviewTestimony)))
	r.handle("POST /testimonies/{id}/redact", Form, s.CheckCSRF(s.signedIn(s.redactTestimony)))
	r.handle("POST /testimonies/{id}/themes", Form, s.CheckCSRF(s.signedIn(s.codeTestimony)))
	r.handle("POST /testimonies/{id}/attachments", Form, limitBody(aftermath.MaxAttachment+64<<10, s.CheckCSRF(s.signedIn(s.attach))))
	r.handle("GET /testimonies/{id}/attachments/{att}", SignedIn, s.signedIn(s.attachment))
}

// voicesFuncs are the template helpers of the testimony pages.
var voicesFuncs = template.FuncMap{
	"consentList":  func() []string { return strs(aftermath.ConsentLevels) },
	"audienceList": func() []string { return strs(aftermath.Audiences) },
	"stateList": func() []string {
		return []string{string(aftermath.StateSubmitted), string(aftermath.StateInReview), string(aftermath.StateApproved), string(aftermath.StateReturned)}
	},
	"genderList": func() []string { return aftermath.Genders },
	"ageList":    func() []string { return aftermath.AgeBands },
	"has":        func(list []string, v string) bool { return slices.Contains(list, v) },
	// langName names a language in the reader's language (CLDR).
	"langName": func(l *i18n.Locale, tag string) string {
		t, err := language.Parse(tag)
		if err != nil {
			return tag
		}
		if n := display.Languages(language.Make(l.Tag())).Name(t); n != "" {
			return n
		}
		return tag
	},
	"areaOf": func(l *i18n.Locale, code string) string { return regionName(l, code, code) },
}

func strs[T ~string](list []T) []string {
	out := make([]string, len(list))
	for i, v := range list {
		out[i] = string(v)
	}
	return out
}

// maxTestimonyForm bounds a submission: a long testimony and a
// translation fit in well under it.
const maxTestimonyForm = 4 << 20

// regionName names a country (ISO 3166-1 alpha-3) or a UN M49 region code
// in the reader's language, from CLDR; fallback when it has none.
func regionName(l *i18n.Locale, code, fallback string) string {
	if len(code) == 3 && code[0] >= 'A' && code[0] <= 'Z' {
		return countryName(l, code, fallback)
	}
	r, err := language.ParseRegion(code)
	if err != nil {
		return fallback
	}
	if n := display.Regions(language.Make(l.Tag())).Name(r); n != "" {
		return n
	}
	return fallback
}

type matrixArea struct{ Code, Name string }

type matrixRow struct {
	Theme string
	Cells []aftermath.ThemeCell // one per area, zero where none
	Areas int                   // areas where the theme recurs
}

type matrixPage struct {
	page
	By     string
	Areas  []matrixArea
	Rows   []matrixRow
	Pairs  []themePair
	Themes map[string]string // slug → name in the reader's language
	Total  int
}

type themePair struct {
	A, B        string
	Testimonies int
	Suppressed  bool // fewer than MinCount, for anonymous readers
	MinCount    int
}

// themeNames names the codebook's themes in the reader's language.
func (s *Server) themeNames(r *http.Request, l *i18n.Locale) (map[string]string, []aftermath.Theme, error) {
	themes, err := s.db.Themes(r.Context())
	if err != nil {
		return nil, nil, err
	}
	names := map[string]string{}
	for i := range themes {
		names[themes[i].Slug] = themes[i].Name(l.Tag())
	}
	return names, themes, nil
}

// voicesMatrix shows the themes × regions (or countries) matrix: how many
// testimonies, from how many organisations, raise each concern where, so
// that the same concern recurring far apart shows.
func (s *Server) voicesMatrix(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	by := r.URL.Query().Get("by")
	if by != aftermath.ByCountry && by != aftermath.ByContinent {
		by = aftermath.ByRegion
	}
	p := matrixPage{page: s.newPage(w, r, "voices.title"), By: by}
	cells, err := s.db.ThemeMatrix(ctx, viewerOf(ctx), by)
	if err == nil {
		p.Themes, _, err = s.themeNames(r, p.L)
	}
	var pairs []aftermath.ThemePair
	if err == nil {
		pairs, err = s.db.ThemeCooccurrence(ctx, viewerOf(ctx))
	}
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	seen := map[string]bool{}
	for _, c := range cells {
		if !seen[c.AreaCode] {
			seen[c.AreaCode] = true
			p.Areas = append(p.Areas, matrixArea{Code: c.AreaCode, Name: regionName(p.L, c.AreaCode, c.Area)})
		}
	}
	slices.SortFunc(p.Areas, func(a, b matrixArea) int { return strings.Compare(a.Name, b.Name) })
	index := map[string]int{}
	for i, a := range p.Areas {
		index[a.Code] = i
	}
	for _, c := range cells {
		if len(p.Rows) == 0 || p.Rows[len(p.Rows)-1].Theme != c.Theme {
			p.Rows = append(p.Rows, matrixRow{Theme: c.Theme, Cells: make([]aftermath.ThemeCell, len(p.Areas))})
		}
		row := &p.Rows[len(p.Rows)-1]
		row.Cells[index[c.AreaCode]] = c
		if c.Testimonies > 0 {
			row.Areas++
		}
		p.Total += c.Testimonies
	}
	// The concerns heard in the most places first.
	slices.SortStableFunc(p.Rows, func(a, b matrixRow) int { return b.Areas - a.Areas })
	for _, pr := range pairs {
		p.Pairs = append(p.Pairs, themePair{A: pr.A, B: pr.B, Testimonies: pr.Testimonies, Suppressed: pr.Suppressed, MinCount: pr.MinCount})
	}
	s.render(w, r, http.StatusOK, "voices.html", p)
}

type quotesPage struct {
	page
	Quotes []aftermath.Quote
	Themes map[string]string
	Theme  string
	NoKey  bool
}

// quotes is the quote bank: approved, redacted testimony the reader may
// see, each with the consent it was given under.
func (s *Server) quotes(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := quotesPage{page: s.newPage(w, r, "voices.quotes.title"), Theme: r.URL.Query().Get("theme")}
	var err error
	if p.Themes, _, err = s.themeNames(r, p.L); err != nil {
		s.PageError(w, r, err)
		return
	}
	if s.Voices() == nil {
		p.NoKey = true
	} else if p.Quotes, err = s.Voices().QuoteBank(ctx, viewerOf(ctx), aftermath.QuoteFilter{Theme: p.Theme, Limit: 200}); err != nil {
		s.PageError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "quotes.html", p)
}

type testimoniesPage struct {
	page
	List      []aftermath.TestimonySummary
	CanSubmit bool
	State     string
}

func (s *Server) testimonies(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := testimoniesPage{page: s.newPage(w, r, "voices.list.title"), State: r.URL.Query().Get("state")}
	p.CanSubmit = auth.Can(p.User, auth.ActionSubmit)
	var err error
	if p.List, err = s.db.Testimonies(ctx, viewerOf(ctx), aftermath.TestimonyFilter{State: aftermath.TestimonyState(p.State), Limit: 200}); err != nil {
		s.PageError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, "testimonies.html", p)
}

// testimonyFormPage is the submission form; Values holds what was typed
// when the form comes back with an error, so nothing is lost.
type testimonyFormPage struct {
	page
	Values url.Values
	Error  string // the store's message, in English
	Field  string // the field it names
	Orgs   []aftermath.Membership
	// Reviewers are, per organisation the writer submits for, the
	// people who may review its testimony, to name as readers of a
	// confidential one (the writer always is one).
	Reviewers []orgReviewers
	Countries []matrixArea
	Themes    []aftermath.Theme
	Languages []string
	NoKey     bool
	CanSubmit bool
	Today     string
	Retain    string
}

// orgReviewers are one organisation's reviewers, for the form.
type orgReviewers struct {
	Org    string
	People []aftermath.Reviewer
}

func (s *Server) newTestimonyForm(w http.ResponseWriter, r *http.Request, values url.Values) (testimonyFormPage, error) {
	p := testimonyFormPage{page: s.newPage(w, r, "voices.form.title"), Values: values, NoKey: s.Voices() == nil}
	p.CanSubmit = auth.Can(p.User, auth.ActionSubmit)
	for _, m := range p.User.Memberships {
		if m.Role == aftermath.RoleAdmin || m.Role == aftermath.RoleEditor || m.Role == aftermath.RoleContributor {
			p.Orgs = append(p.Orgs, m)
		}
	}
	for _, m := range p.Orgs {
		rs, err := s.db.TestimonyReviewers(r.Context(), viewerOf(r.Context()), m.OrgID)
		if err != nil {
			return p, err
		}
		rs = slices.DeleteFunc(rs, func(rv aftermath.Reviewer) bool { return rv.ID == p.User.ID })
		if len(rs) > 0 {
			p.Reviewers = append(p.Reviewers, orgReviewers{Org: m.OrgSlug, People: rs})
		}
	}
	var err error
	if _, p.Themes, err = s.themeNames(r, p.L); err != nil {
		return p, err
	}
	for _, c := range geo.All() {
		if c.Alpha3 != "" {
			p.Countries = append(p.Countries, matrixArea{Code: c.Alpha3, Name: countryName(p.L, c.Alpha3, c.Name)})
		}
	}
	slices.SortFunc(p.Countries, func(a, b matrixArea) int { return strings.Compare(a.Name, b.Name) })
	p.Languages = []string{"en", "fr", "ar"}
	now := s.db.CurrentTime()
	p.Today, p.Retain = now.Format(time.DateOnly), now.AddDate(5, 0, 0).Format(time.DateOnly)
	return p, nil
}

func (s *Server) testimonyForm(w http.ResponseWriter, r *http.Request) {
	p, err := s.newTestimonyForm(w, r, url.Values{})
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	// A new account is most often in the language its reader works in.
	if slices.Contains(p.Languages, p.L.Tag()) {
		p.Values.Set("language", p.L.Tag())
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, "testimony_form.html", p)
}

// testimonyInput reads the submission form. Checking is the store's: the
// form only turns fields into the input it validates.
func testimonyInput(f url.Values, u *aftermath.User) *aftermath.TestimonyInput {
	get := func(k string) string { return strings.TrimSpace(f.Get(k)) }
	in := &aftermath.TestimonyInput{
		Date: get("date"), Country: strings.ToUpper(get("country")), Admin1: get("admin1"), Locality: get("locality"),
		Language: get("language"), Body: strings.ReplaceAll(f.Get("body"), "\r\n", "\n"),
		Profile:     aftermath.SpeakerProfile{Role: get("profile_role"), Gender: get("profile_gender"), AgeBand: get("profile_age")},
		Audience:    aftermath.Audience(get("audience")),
		RetainUntil: get("retain_until"),
		Themes:      f["theme"],
		Consent: &aftermath.Consent{Level: aftermath.ConsentLevel(get("consent_level")), MayContact: get("consent_contact") == "yes",
			Method: get("consent_method"), RecordedBy: get("consent_by"), RecordedAt: get("consent_at"), Note: get("consent_note")},
	}
	in.OwnerOrgID, _ = strconv.ParseInt(get("org"), 10, 64)
	if tl, tt := get("translation_lang"), strings.TrimSpace(f.Get("translation")); tl != "" || tt != "" {
		in.Translations = map[string]string{tl: strings.ReplaceAll(f.Get("translation"), "\r\n", "\n")}
	}
	if name, contact := get("identity_name"), get("identity_contact"); name != "" || contact != "" {
		in.Identity = &aftermath.SpeakerIdentity{Name: name, Contact: contact}
	}
	if in.Audience == aftermath.AudienceConfidential && u != nil {
		// The submitter, and the reviewers they name: without one, no
		// one could review it (a submitter never reviews their own).
		in.Readers = []int64{u.ID}
		for _, v := range f["reader"] {
			if id, err := strconv.ParseInt(v, 10, 64); err == nil && id != u.ID && !slices.Contains(in.Readers, id) {
				in.Readers = append(in.Readers, id)
			}
		}
	}
	if in.OwnerOrgID == 0 {
		in.OwnerOrgID = submitOrg(u)
	}
	return in
}

// fieldOf is the input field a store error names, "" when none.
func fieldOf(err error) string {
	var e *aftermath.Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

func (s *Server) createTestimony(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if err := r.ParseForm(); err != nil {
		s.errorPage(w, r, http.StatusBadRequest, "")
		return
	}
	if s.Voices() == nil {
		s.testimonyForm(w, r)
		return
	}
	id, err := s.Voices().CreateTestimony(ctx, viewerOf(ctx), testimonyInput(r.PostForm, userOf(ctx)))
	if err == nil {
		http.Redirect(w, r, "/testimonies/"+strconv.FormatInt(id, 10)+"?created=1", http.StatusSeeOther)
		return
	}
	switch aftermath.ErrorCode(err) {
	case aftermath.EINVALID, aftermath.EFORBIDDEN, aftermath.ENOTFOUND, aftermath.ECONFLICT:
	default:
		s.PageError(w, r, err)
		return
	}
	p, perr := s.newTestimonyForm(w, r, r.PostForm)
	if perr != nil {
		s.PageError(w, r, perr)
		return
	}
	p.Error, p.Field = err.Error(), fieldOf(err)
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, refusalStatus(err, http.StatusUnprocessableEntity), "testimony_form.html", p)
}

type testimonyPage struct {
	page
	T           *aftermath.Testimony
	Original    *aftermath.TestimonyContent
	Attachments []aftermath.Attachment
	Identity    *aftermath.SpeakerIdentity
	Themes      map[string]string
	Codebook    []aftermath.Theme
	Created     bool
	Error       string
	Wider       []aftermath.Audience // audiences a reviewer may approve for
}

// testimony shows a testimony: its redacted text to whoever may see it,
// and to those who handle it the original, the consent, the identity and
// the review tools. A testimony the reader may not see is not found.
func (s *Server) testimony(w http.ResponseWriter, r *http.Request) {
	id, ok := s.idOr404(w, r)
	if !ok {
		return
	}
	if s.Voices() == nil {
		s.notFound(w, r)
		return
	}
	s.showTestimony(w, r, id, "", http.StatusOK)
}

// showTestimony renders the testimony with status; problem is a refusal
// to show on it.
func (s *Server) showTestimony(w http.ResponseWriter, r *http.Request, id int64, problem string, status int) {
	ctx := r.Context()
	v := viewerOf(ctx)
	t, err := s.Voices().Testimony(ctx, v, id)
	if aftermath.ErrorCode(err) == aftermath.ENOTFOUND {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	p := testimonyPage{page: s.newPage(w, r, "voices.testimony.title"), T: t, Created: r.URL.Query().Get("created") == "1", Error: problem}
	if p.Themes, p.Codebook, err = s.themeNames(r, p.L); err != nil {
		s.PageError(w, r, err)
		return
	}
	if t.Can.ReadOriginal {
		if p.Original, err = s.Voices().TestimonyOriginal(ctx, v, id); err == nil {
			p.Identity, err = s.Voices().TestimonyIdentity(ctx, v, id)
			if aftermath.ErrorCode(err) == aftermath.ENOTFOUND {
				err = nil // no identity was given
			}
		}
		if err == nil {
			p.Attachments, err = s.Voices().Attachments(ctx, v, id)
		}
		if err != nil {
			s.PageError(w, r, err)
			return
		}
		// Confidential is offered only when someone is named to read it:
		// the store refuses it otherwise, so the form's default (its first
		// option, the narrowest) is always one an approval accepts.
		for _, a := range aftermath.Audiences {
			if a == aftermath.AudienceConfidential && len(p.Original.Readers) == 0 {
				continue
			}
			if !a.Wider(p.Original.Consent.Level.MaxAudience()) {
				p.Wider = append(p.Wider, a)
			}
		}
	}
	// Original material must not linger in shared caches or history.
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, status, "testimony.html", p)
}

// afterAction shows the testimony again after a review step: on success a
// fresh page (303), on a refusal the page with the reason (403 or 409 for
// a forbidden or conflicting step, 422 for bad input).
func (s *Server) afterAction(w http.ResponseWriter, r *http.Request, id int64, err error) {
	switch code := aftermath.ErrorCode(err); {
	case err == nil:
		// A testimony withdrawn or changed must not stay on cached public
		// pages (the quote bank, the matrix, its own page).
		s.ClearCache()
		http.Redirect(w, r, "/testimonies/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
	case code == aftermath.ENOTFOUND:
		s.notFound(w, r)
	case code == aftermath.EINVALID || code == aftermath.ECONFLICT || code == aftermath.EFORBIDDEN:
		s.showTestimony(w, r, id, err.Error(), refusalStatus(err, http.StatusUnprocessableEntity))
	default:
		s.PageError(w, r, err)
	}
}

func (s *Server) reviewTestimony(w http.ResponseWriter, r *http.Request) {
	id, ok := s.idOr404(w, r)
	if !ok {
		return
	}
	if s.Voices() == nil {
		s.notFound(w, r)
		return
	}
	step := aftermath.ReviewInput{Action: r.PostFormValue("action"), Audience: aftermath.Audience(r.PostFormValue("audience")),
		Note: strings.TrimSpace(r.PostFormValue("note"))}
	s.afterAction(w, r, id, s.Voices().Review(r.Context(), viewerOf(r.Context()), id, step))
}

// redactTestimony turns the reviewer's list of passages into spans: one
// per line, "reason: passage", every occurrence of the passage in the
// body (and in each translation) redacted. Marking passages by their
// words rather than by offsets works without JavaScript on any phone.
func (s *Server) redactTestimony(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, ok := s.idOr404(w, r)
	if !ok {
		return
	}
	if s.Voices() == nil {
		s.notFound(w, r)
		return
	}
	v := viewerOf(ctx)
	orig, err := s.Voices().TestimonyOriginal(ctx, v, id)
	if err != nil {
		s.afterAction(w, r, id, err)
		return
	}
	spans, err := redactionSpans(r.PostFormValue("passages"), orig)
	switch {
	case err != nil:
	case len(spans) == 0 && r.PostFormValue("nothing") != "yes":
		// An empty list would say "nothing needs redacting": only when the
		// reviewer says so, never by a slip.
		err = aftermath.FieldError("redactions", "list the passages to redact, or tick that nothing needs redacting")
	default:
		// Each pass adds to what earlier passes redacted; nothing is
		// un-redacted by a later, shorter list.
		_, err = s.Voices().Redact(ctx, v, id, mergeSpans(append(slices.Clone(orig.Redactions), spans...)))
	}
	s.afterAction(w, r, id, err)
}

// redactionReasons reads a reason as a reviewer writes it in English,
// French or Arabic.
var redactionReasons = map[string]string{
	"name": aftermath.RedactName, "nom": aftermath.RedactName, "اسم": aftermath.RedactName,
	"place": aftermath.RedactPlace, "lieu": aftermath.RedactPlace, "مكان": aftermath.RedactPlace,
	"detail": aftermath.RedactIdentifier, "identifying-detail": aftermath.RedactIdentifier, "détail": aftermath.RedactIdentifier,
	"تفصيل": aftermath.RedactIdentifier,
}

// redactionSpans finds each listed passage in the body and translations.
func redactionSpans(list string, c *aftermath.TestimonyContent) ([]aftermath.RedactionSpan, error) {
	texts := map[string]string{"": c.Body}
	for lang, t := range c.Translations {
		texts[lang] = t
	}
	var spans []aftermath.RedactionSpan
	for n, line := range strings.Split(strings.ReplaceAll(list, "\r\n", "\n"), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		word, passage, ok := strings.Cut(line, ":")
		reason, known := redactionReasons[strings.ToLower(strings.TrimSpace(word))]
		passage = strings.TrimSpace(passage)
		if !ok || passage == "" || !known {
			return nil, aftermath.FieldError("redactions", "line %d: write REASON: PASSAGE, the reason one of name, place, detail", n+1)
		}
		found := false
		for lang, text := range texts {
			rs, ps := []rune(text), []rune(passage)
			for i := 0; i+len(ps) <= len(rs); i++ {
				if string(rs[i:i+len(ps)]) == passage {
					spans = append(spans, aftermath.RedactionSpan{Lang: lang, Start: i, End: i + len(ps), Reason: reason})
					found = true
					i += len(ps) - 1
				}
			}
		}
		if !found {
			return nil, aftermath.FieldError("redactions", "line %d: %q is not in the text", n+1, passage)
		}
	}
	return mergeSpans(spans), nil
}

// mergeSpans orders spans and merges those that overlap (a name inside a
// longer phrase, or a passage redacted in two passes) into one with the
// first reason, so the store gets no overlaps.
func mergeSpans(spans []aftermath.RedactionSpan) []aftermath.RedactionSpan {
	slices.SortFunc(spans, func(a, b aftermath.RedactionSpan) int {
		if a.Lang != b.Lang {
			return strings.Compare(a.Lang, b.Lang)
		}
		return a.Start - b.Start
	})
	var out []aftermath.RedactionSpan
	for _, sp := range spans {
		if n := len(out); n > 0 && out[n-1].Lang == sp.Lang && sp.Start < out[n-1].End {
			out[n-1].End = max(out[n-1].End, sp.End)
			continue
		}
		out = append(out, sp)
	}
	return out
}

// attach adds a file to a testimony; its metadata is removed before it
// is stored (internal/scrub), and kinds that cannot be cleaned for
// certain are refused with the reason.
func (s *Server) attach(w http.ResponseWriter, r *http.Request) {
	id, ok := s.idOr404(w, r)
	if !ok {
		return
	}
	if s.Voices() == nil {
		s.notFound(w, r)
		return
	}
	f, hdr, err := r.FormFile("file")
	if err != nil {
		s.errorPage(w, r, http.StatusBadRequest, "")
		return
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, aftermath.MaxAttachment+1))
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	_, err = s.Voices().AddAttachment(r.Context(), viewerOf(r.Context()), id, filepath.Base(strings.ReplaceAll(hdr.Filename, `\`, "/")), data)
	s.afterAction(w, r, id, err)
}

// attachment sends one attachment to someone who reads the original; the
// read is audited by the store.
func (s *Server) attachment(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	att, aerr := pathInt(r, "att")
	if err != nil || aerr != nil || s.Voices() == nil {
		s.notFound(w, r)
		return
	}
	a, content, err := s.Voices().AttachmentContent(r.Context(), viewerOf(r.Context()), id, att)
	switch aftermath.ErrorCode(err) {
	case "":
	case aftermath.ENOTFOUND, aftermath.EFORBIDDEN:
		s.notFound(w, r)
		return
	default:
		s.PageError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", a.MediaType)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": a.Name}))
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; sandbox")
	w.Write(content)
}

func (s *Server) codeTestimony(w http.ResponseWriter, r *http.Request) {
	id, ok := s.idOr404(w, r)
	if !ok {
		return
	}
	if err := r.ParseForm(); err != nil {
		s.errorPage(w, r, http.StatusBadRequest, "")
		return
	}
	s.afterAction(w, r, id, s.db.SetTestimonyThemes(r.Context(), viewerOf(r.Context()), id, r.PostForm["theme"]))
}
