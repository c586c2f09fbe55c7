package web

// Consultations: an organisation's admins and editors write a
// questionnaire, invite partner organisations through single-use links,
// and read the combined results. Participants need no account: the link
// (/c/TOKEN) opens the questionnaire in their language, asks for their
// consent in the same form, and stores their answers as a testimony. Who
// may do what is decided by the store (internal/sqldb/consultations.go);
// these handlers show its answers.
//
// The participant's page is for slow connections and old phones: one
// page, no JavaScript, no images, a few kilobytes; the answers are kept
// and shown again whenever something must be corrected, and the
// thank-you page is the answer to the submission itself (no redirect,
// one round trip fewer).

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"aftermath"
	"aftermath/internal/auth"
	"aftermath/internal/consult"
	"aftermath/internal/geo"
	"aftermath/internal/i18n"
)

func (s *Server) routesConsult(r *router) {
	r.handle("GET /consultations", SignedIn, s.signedIn(s.consultations))
	r.handle("GET /consultations/new", SignedIn, s.signedIn(s.consultationForm))
	r.handle("POST /consultations", Form, limitBody(maxConsultForm, s.CheckCSRF(s.signedIn(s.createConsultation))))
	r.handle("GET /consultations/{id}", SignedIn, s.signedIn(s.consultation))
	r.handle("POST /consultations/{id}/state", Form, s.CheckCSRF(s.signedIn(s.consultationState)))
	r.handle("POST /consultations/{id}/invitations", Form, s.CheckCSRF(s.signedIn(s.createInvitation)))
	r.handle("POST /consultations/{id}/invitations/{inv}/revoke", Form, s.CheckCSRF(s.signedIn(s.revokeInvitation)))
	r.handle("POST /consultations/{id}/delete", Form, s.CheckCSRF(s.signedIn(s.deleteConsultation)))
	// Results are for whoever sees the consultation: anyone when its
	// audience is public (the store decides).
	r.handle("GET /consultations/{id}/results", Public, s.Cached(s.consultationResults))
	r.handle("GET /consultations/{id}/results.csv", Public, s.consultationCSV)
	// The participant's link: never cached (it carries the token, and a
	// used link must stop working at once).
	r.handle("GET /c/{token}", Public, s.participate)
	r.handle("POST /c/{token}", Form, limitBody(maxResponseForm, s.respond))
}

const (
	maxConsultForm  = 1 << 20
	maxResponseForm = 1 << 20
)

// ---- list, form, details (signed in) ----

type consultListPage struct {
	page
	List      []consult.Consultation
	CanCreate bool
}

func (s *Server) consultations(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := consultListPage{page: s.newPage(w, r, "consult.list.title")}
	p.CanCreate = auth.Can(p.User, auth.ActionConsult)
	var err error
	if p.List, err = s.db.Consultations(ctx, viewerOf(ctx)); err != nil {
		s.PageError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, "consultations.html", p)
}

type consultFormPage struct {
	page
	Values    url.Values
	Orgs      []aftermath.Organisation
	Countries []matrixArea
	Example   string
	Error     string
	Field     string
	Today     string
	Retain    string
}

// questionnaireExample is shown beside the questionnaire field: the text
// form of internal/consult/format.go, in the three languages.
const questionnaireExample = `? priorities ranking required
en: What should the mission change first?
fr: Que devrait changer la mission en premier ?
ar: ما الذي يجب أن تغيّره البعثة أولاً؟
- protection
  en: Protection of civilians
  fr: Protection des civils
  ar: حماية المدنيين
- justice
  en: Justice for abuses
  fr: Justice pour les exactions
  ar: العدالة في الانتهاكات

? safe choice
en: Can your members speak freely?
fr: Vos membres peuvent-ils parler librement ?
ar: هل يستطيع أعضاؤكم التحدث بحرية؟
- yes
  en: Yes
  fr: Oui
  ar: نعم
- no
  en: No
  fr: Non
  ar: لا

? story text
en: What has changed for you since the mission began?
fr: Qu’est-ce qui a changé pour vous depuis le début de la mission ?
ar: ما الذي تغيّر بالنسبة لكم منذ بدء البعثة؟`

func (s *Server) newConsultForm(w http.ResponseWriter, r *http.Request, values url.Values) (consultFormPage, error) {
	p := consultFormPage{page: s.newPage(w, r, "consult.form.title"), Values: values, Example: questionnaireExample}
	var err error
	if p.Orgs, err = s.db.ConsultOrganisations(r.Context(), viewerOf(r.Context())); err != nil {
		return p, err
	}
	p.Countries = countryList(p.L)
	now := s.db.CurrentTime()
	p.Today, p.Retain = now.Format(time.DateOnly), now.AddDate(5, 0, 0).Format(time.DateOnly)
	return p, nil
}

func countryList(l *i18n.Locale) []matrixArea {
	var out []matrixArea
	for _, c := range geo.All() {
		if c.Alpha3 != "" {
			out = append(out, matrixArea{Code: c.Alpha3, Name: countryName(l, c.Alpha3, c.Name)})
		}
	}
	slices.SortFunc(out, func(a, b matrixArea) int { return strings.Compare(a.Name, b.Name) })
	return out
}

func (s *Server) consultationForm(w http.ResponseWriter, r *http.Request) {
	if !auth.Can(userOf(r.Context()), auth.ActionConsult) {
		http.Error(w, s.bundle.Negotiate(r).T("error.forbidden"), http.StatusForbidden)
		return
	}
	p, err := s.newConsultForm(w, r, url.Values{})
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, "consultation_form.html", p)
}

// consultationInput reads the form into a consultation; a questionnaire
// that does not parse is an EINVALID error naming the line.
func (s *Server) consultationInput(f url.Values, u *aftermath.User) (*consult.Consultation, error) {
	c := &consult.Consultation{Title: consult.Text{}, Description: consult.Text{}, Purpose: consult.Text{},
		Audience: aftermath.Audience(f.Get("audience")), Country: f.Get("country"), OpensOn: strings.TrimSpace(f.Get("opens_on")),
		ClosesOn: strings.TrimSpace(f.Get("closes_on")), RetainUntil: strings.TrimSpace(f.Get("retain_until"))}
	c.OwnerOrgID, _ = strconv.ParseInt(f.Get("org"), 10, 64)
	for _, tag := range s.bundle.Languages() {
		for _, t := range []struct {
			field string
			text  consult.Text
		}{{"title_", c.Title}, {"description_", c.Description}, {"purpose_", c.Purpose}} {
			if v := strings.TrimSpace(f.Get(t.field + tag)); v != "" {
				t.text[tag] = v
			}
		}
	}
	if c.Audience == aftermath.AudienceConfidential {
		c.Readers = []int64{u.ID} // besides those who manage it
	}
	q, err := consult.ParseText(f.Get("questionnaire"))
	if err != nil {
		return c, aftermath.FieldError("questionnaire", "%v", err)
	}
	c.Questionnaire = *q
	return c, nil
}

func (s *Server) createConsultation(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	l := s.bundle.Negotiate(r)
	if !auth.Can(userOf(ctx), auth.ActionConsult) {
		http.Error(w, l.T("error.forbidden"), http.StatusForbidden)
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, l.T("error.invalid_request"), http.StatusBadRequest)
		return
	}
	c, err := s.consultationInput(r.PostForm, userOf(ctx))
	if err == nil {
		err = s.db.CreateConsultation(ctx, viewerOf(ctx), c)
	}
	if err == nil {
		http.Redirect(w, r, "/consultations/"+strconv.FormatInt(c.ID, 10), http.StatusSeeOther)
		return
	}
	switch aftermath.ErrorCode(err) {
	case aftermath.EINVALID, aftermath.EFORBIDDEN, aftermath.ECONFLICT:
	default:
		s.PageError(w, r, err)
		return
	}
	p, perr := s.newConsultForm(w, r, r.PostForm)
	if perr != nil {
		s.PageError(w, r, perr)
		return
	}
	p.Error, p.Field = err.Error(), fieldOf(err)
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, refusalStatus(err, http.StatusUnprocessableEntity), "consultation_form.html", p)
}

// questionView is a question as a reader sees it, in their language.
type questionView struct {
	Key, Kind, Prompt string
	Required          bool
	Options           []string
}

func questionViews(q *consult.Questionnaire, lang string) []questionView {
	var out []questionView
	for _, qu := range q.Questions {
		v := questionView{Key: qu.Key, Kind: qu.Kind, Prompt: qu.Prompt.In(lang), Required: qu.Required}
		for _, o := range qu.Options {
			v.Options = append(v.Options, o.Label.In(lang))
		}
		out = append(out, v)
	}
	return out
}

type consultPage struct {
	page
	C           *consult.Consultation
	Title       string
	Description string
	Purpose     string
	Questions   []questionView
	Invitations []consult.Invitation
	Partners    []aftermath.Organisation
	Countries   []matrixArea
	NewLink     string // shown once, right after it is made
	NewLinkOrg  string
	NoBaseURL   bool // no serve --base-url: NewLink is a path only
	Error       string
	NoKey       bool
	MaxDays     int
	Text        string // the questionnaire in the form's text format, for managers to reuse
}

func (s *Server) consultation(w http.ResponseWriter, r *http.Request) {
	id, ok := s.idOr404(w, r)
	if !ok {
		return
	}
	s.showConsultation(w, r, id, http.StatusOK, func(*consultPage) {})
}

// showConsultation renders the details page; fill adds what an action
// has to say (a new link, an error).
func (s *Server) showConsultation(w http.ResponseWriter, r *http.Request, id int64, status int, fill func(*consultPage)) {
	ctx := r.Context()
	v := viewerOf(ctx)
	c, err := s.db.Consultation(ctx, v, id)
	if aftermath.ErrorCode(err) == aftermath.ENOTFOUND {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	p := consultPage{page: s.newPage(w, r, "consult.title"), C: c, NoKey: s.Voices() == nil, MaxDays: consult.MaxInvitationDays}
	p.Title, p.Description, p.Purpose = c.Title.In(p.L.Tag()), c.Description.In(p.L.Tag()), c.Purpose.In(p.L.Tag())
	p.page.Title = p.Title
	p.Questions = questionViews(&c.Questionnaire, p.L.Tag())
	if c.Manage {
		if p.Invitations, err = s.db.Invitations(ctx, v, id); err == nil {
			p.Partners, err = s.db.ConsultPartners(ctx, v, id)
		}
		if err != nil {
			s.PageError(w, r, err)
			return
		}
		p.Countries = countryList(p.L)
		p.Text = consult.FormatText(&c.Questionnaire, s.bundle.Languages()...)
	}
	fill(&p)
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, status, "consultation.html", p)
}

// consultAction ends a manager's action: back to the details page, or
// the page again with what went wrong.
func (s *Server) consultAction(w http.ResponseWriter, r *http.Request, id int64, err error) {
	switch aftermath.ErrorCode(err) {
	case "":
		http.Redirect(w, r, "/consultations/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
	case aftermath.ENOTFOUND:
		s.notFound(w, r)
	case aftermath.EINVALID, aftermath.ECONFLICT:
		s.showConsultation(w, r, id, refusalStatus(err, http.StatusUnprocessableEntity), func(p *consultPage) { p.Error = err.Error() })
	default:
		s.PageError(w, r, err)
	}
}

func (s *Server) consultationState(w http.ResponseWriter, r *http.Request) {
	id, ok := s.idOr404(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	s.consultAction(w, r, id, s.db.SetConsultationState(ctx, viewerOf(ctx), id, r.PostFormValue("state")))
}

func (s *Server) createInvitation(w http.ResponseWriter, r *http.Request) {
	id, ok := s.idOr404(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	in := consult.InvitationInput{OrgName: r.PostFormValue("org_name"), Country: r.PostFormValue("country")}
	in.PartnerOrgID, _ = strconv.ParseInt(r.PostFormValue("partner"), 10, 64)
	if d := strings.TrimSpace(r.PostFormValue("days")); d != "" {
		n, err := strconv.Atoi(d)
		if err != nil || n <= 0 {
			n = -1 // refused by the store, with its message
		}
		in.Days = n
	}
	inv, token, err := s.db.CreateInvitation(ctx, viewerOf(ctx), id, in)
	if err != nil {
		s.consultAction(w, r, id, err)
		return
	}
	// The link is shown now and never again: only its hash is stored.
	s.showConsultation(w, r, id, http.StatusOK, func(p *consultPage) {
		p.NewLink, p.NewLinkOrg, p.NoBaseURL = s.linkBase(r)+"/c/"+token, inv.OrgName, s.linkBase(r) == ""
	})
}

// linkBase is this site's configured address (serve --base-url), for the
// links given to participants; "" when none is configured, and the page
// then says so. It is never taken from the request: a Host header is the
// sender's to choose, and a link built from it would be mailed out with
// an attacker's address.
func (s *Server) linkBase(*http.Request) string { return s.BaseURL() }

func (s *Server) revokeInvitation(w http.ResponseWriter, r *http.Request) {
	id, ok := s.idOr404(w, r)
	if !ok {
		return
	}
	inv, err := pathInt(r, "inv")
	if err != nil {
		s.notFound(w, r)
		return
	}
	ctx := r.Context()
	s.consultAction(w, r, id, s.db.RevokeInvitation(ctx, viewerOf(ctx), id, inv))
}

func (s *Server) deleteConsultation(w http.ResponseWriter, r *http.Request) {
	id, ok := s.idOr404(w, r)
	if !ok {
		return
	}
	if r.PostFormValue("confirm") != "yes" {
		s.consultAction(w, r, id, aftermath.Errorf(aftermath.EINVALID, "tick the box to confirm the deletion"))
		return
	}
	ctx := r.Context()
	if err := s.db.DeleteConsultation(ctx, viewerOf(ctx), id); err != nil {
		s.consultAction(w, r, id, err)
		return
	}
	http.Redirect(w, r, "/consultations", http.StatusSeeOther)
}

// ---- results (public when the consultation is) ----

type choiceView struct {
	Label   string
	Count   int
	Percent string
}

type bordaView struct {
	Label     string
	Rank      int
	Tied      bool
	Points    int
	Ballots   int
	Positions []int
}

type resultView struct {
	Prompt    string
	Kind      string
	Answered  int
	Choices   []choiceView
	Positions []int // 1 … number of options, for the table's head
	Rows      []bordaView
}

type resultsPage struct {
	page
	R         *consult.ConsultationResults
	Name      string
	Questions []resultView
}

func (s *Server) consultationResults(w http.ResponseWriter, r *http.Request) {
	id, ok := s.idOr404(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	if s.Voices() == nil { // the answers are sealed: no key, no results
		s.linkMessage(w, r, http.StatusServiceUnavailable, "consult.results.title", "voices.no_key")
		return
	}
	res, err := s.Voices().ConsultationResults(ctx, viewerOf(ctx), id)
	if aftermath.ErrorCode(err) == aftermath.ENOTFOUND {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	p := resultsPage{page: s.newPage(w, r, "consult.results.title"), R: res}
	lang := p.L.Tag()
	p.Name = res.Consultation.Title.In(lang)
	p.page.Title = p.L.T("consult.results.of", "title", p.Name)
	for i := range res.Questions {
		q := &res.Questions[i]
		v := resultView{Prompt: q.Prompt.In(lang), Kind: q.Kind, Answered: q.Answered}
		for _, c := range q.Choices {
			cv := choiceView{Label: q.Label(c.Option, lang), Count: c.Count}
			if q.Answered > 0 {
				cv.Percent = p.L.T("consult.results.percent", "value", p.L.Number(float64(c.Count)*100/float64(q.Answered), 0))
			}
			v.Choices = append(v.Choices, cv)
		}
		for n := range len(q.Ranking) {
			v.Positions = append(v.Positions, n+1)
		}
		for _, b := range q.Ranking {
			v.Rows = append(v.Rows, bordaView{Label: q.Label(b.Option, lang), Rank: b.Rank, Tied: b.TiedWithin, Points: b.Points, Ballots: b.Ballots,
				Positions: b.Positions})
		}
		p.Questions = append(p.Questions, v)
	}
	s.render(w, r, http.StatusOK, "consult_results.html", p)
}

func (s *Server) consultationCSV(w http.ResponseWriter, r *http.Request) {
	id, ok := s.idOr404(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	if s.Voices() == nil {
		s.linkMessage(w, r, http.StatusServiceUnavailable, "consult.results.title", "voices.no_key")
		return
	}
	var buf bytes.Buffer
	err := s.Voices().ExportConsultationResults(ctx, viewerOf(ctx), id, s.bundle.Negotiate(r).Tag(), &buf)
	if aftermath.ErrorCode(err) == aftermath.ENOTFOUND {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="consultation-%d-results.csv"`, id))
	w.Header().Set("Cache-Control", "no-store")
	w.Write(buf.Bytes())
}

// ---- the participant's page (no account) ----

type optionView struct{ Key, Label string }

type positionView struct {
	N        int
	Name     string
	Selected string
}

// answerView is a question on the participant's page with what they
// answered so far.
type answerView struct {
	Name      string // the form field
	Prompt    string
	Kind      string
	Required  bool
	Options   []optionView
	Text      string
	Choice    string
	Positions []positionView
	Invalid   bool
}

type participatePage struct {
	page
	Token       string
	Org         string // the invited organisation
	Owner       string // the organisation that asks
	Title       string
	Description string
	Purpose     string
	Combined    string // who sees the combined results
	RetainUntil string
	Questions   []answerView
	Consent     string
	MayContact  bool
	Name        string
	Contact     string
	Agreed      bool
	Errors      []string
}

type consultMessagePage struct {
	page
	Heading, Text string
}

// linkMessage answers with a short page: the link does not work, no key,
// or thanks.
func (s *Server) linkMessage(w http.ResponseWriter, r *http.Request, status int, heading, text string, args ...any) {
	p := consultMessagePage{page: s.newPage(w, r, heading)}
	p.Heading, p.Text = p.L.T(heading), p.L.T(text, args...)
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, status, "consult_message.html", p)
}

// invalidLink is the one answer to a link that does not work, whatever
// the reason: the store does not say, and neither does this page.
func (s *Server) invalidLink(w http.ResponseWriter, r *http.Request, status int) {
	s.linkMessage(w, r, status, "consult.link.invalid.title", "consult.link.invalid")
}

func (s *Server) participate(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	inv, c, err := s.db.InvitationByToken(ctx, r.PathValue("token"))
	if consult.IsInvalidLink(err) {
		s.invalidLink(w, r, http.StatusNotFound)
		return
	}
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	if s.Voices() == nil {
		s.linkMessage(w, r, http.StatusServiceUnavailable, "consult.link.unavailable", "voices.no_key")
		return
	}
	s.renderParticipate(w, r, http.StatusOK, inv, c, url.Values{}, nil)
}

// renderParticipate shows the questionnaire with the values given so far
// and, translated, what must be corrected.
func (s *Server) renderParticipate(w http.ResponseWriter, r *http.Request, status int, inv *consult.Invitation, c *consult.Consultation, f url.Values,
	problems []problem) {
	p := participatePage{page: s.newPage(w, r, "consult.participate.title"), Token: r.PathValue("token"), Org: inv.OrgName, Owner: c.OwnerOrg}
	// The form is reached without a session: the double-submit cookie
	// (set here) and the link's own token protect it.
	p.CSRF = s.CSRFToken(w, r)
	lang := p.L.Tag()
	p.Title, p.Description, p.Purpose = c.Title.In(lang), c.Description.In(lang), c.Purpose.In(lang)
	p.page.Title = p.Title
	p.Combined = p.L.T("audience." + string(c.Audience))
	if d, err := time.Parse(time.DateOnly, c.RetainUntil); err == nil {
		p.RetainUntil = p.L.Date(d)
	}
	p.Consent, p.MayContact, p.Agreed = f.Get("consent"), f.Get("may_contact") == "yes", f.Get("agree") == "yes"
	p.Name, p.Contact = f.Get("name"), f.Get("contact")
	bad := map[int]bool{}
	for _, pr := range problems {
		if pr.question >= 0 {
			bad[pr.question] = true
		}
		p.Errors = append(p.Errors, p.L.T(pr.key, "question", pr.prompt(c, lang)))
	}
	for i, q := range c.Questionnaire.Questions {
		a := answerView{Name: fieldName(i), Prompt: q.Prompt.In(lang), Kind: q.Kind, Required: q.Required, Invalid: bad[i],
			Text: f.Get(fieldName(i)), Choice: f.Get(fieldName(i))}
		for _, o := range q.Options {
			a.Options = append(a.Options, optionView{o.Key, o.Label.In(lang)})
		}
		if q.Kind == consult.KindRanking {
			for n := range q.Options {
				name := rankName(i, n+1)
				a.Positions = append(a.Positions, positionView{N: n + 1, Name: name, Selected: f.Get(name)})
			}
		}
		p.Questions = append(p.Questions, a)
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, status, "consult_participate.html", p)
}

// Form fields go by the question's place in the questionnaire, which is
// fixed once the consultation is open, so any key is safe in a name.
func fieldName(i int) string   { return "q" + strconv.Itoa(i+1) }
func rankName(i, n int) string { return fieldName(i) + "r" + strconv.Itoa(n) }

// problem is something the participant must correct: a message key and
// the question it concerns (-1: none).
type problem struct {
	key      string
	question int
}

func (pr problem) prompt(c *consult.Consultation, lang string) string {
	if pr.question < 0 || pr.question >= len(c.Questionnaire.Questions) {
		return ""
	}
	return c.Questionnaire.Questions[pr.question].Prompt.In(lang)
}

// responseFrom reads the participant's form. Rankings without JavaScript:
// one <select> per place (1st, 2nd …), each listing every option. That is
// easier than typing a number beside each option: nothing to type on a
// phone keyboard (where Arabic-Indic digits may not be read as numbers),
// the order is read top to bottom as it is meant, a short ranking is just
// the first few places, and the one mistake possible — the same option
// in two places — is refused with a message that names the question.
// Places left empty are skipped, so "2nd" alone counts as a first choice.
func responseFrom(c *consult.Consultation, f url.Values, lang string) (*consult.ConsultationResponse, []problem) {
	res := &consult.ConsultationResponse{Language: lang, Answers: map[string]consult.Answer{}, Consent: aftermath.ConsentLevel(f.Get("consent")),
		MayContact: f.Get("may_contact") == "yes", Agreed: f.Get("agree") == "yes", Name: strings.TrimSpace(f.Get("name")),
		Contact: strings.TrimSpace(f.Get("contact"))}
	var problems []problem
	for i, q := range c.Questionnaire.Questions {
		var a consult.Answer
		switch q.Kind {
		case consult.KindText:
			a.Text = strings.TrimSpace(f.Get(fieldName(i)))
		case consult.KindChoice:
			a.Choice = f.Get(fieldName(i))
			if a.Choice != "" && !slices.Contains(q.OptionKeys(), a.Choice) {
				problems = append(problems, problem{"consult.error.choice", i})
				continue
			}
		case consult.KindRanking:
			dup := false
			for n := range q.Options {
				k := f.Get(rankName(i, n+1))
				switch {
				case k == "":
				case !slices.Contains(q.OptionKeys(), k):
					dup = true
				case slices.Contains(a.Ranking, k):
					dup = true
				default:
					a.Ranking = append(a.Ranking, k)
				}
			}
			if dup {
				problems = append(problems, problem{"consult.error.duplicate", i})
				continue
			}
		}
		if q.Required && a.Text == "" && a.Choice == "" && len(a.Ranking) == 0 {
			problems = append(problems, problem{"consult.error.required", i})
			continue
		}
		res.Answers[q.Key] = a
	}
	if !res.Consent.Valid() {
		problems = append(problems, problem{"consult.error.consent", -1})
	}
	if res.Contact != "" && !res.MayContact {
		problems = append(problems, problem{"consult.error.contact", -1})
	}
	if !res.Agreed {
		problems = append(problems, problem{"consult.error.agree", -1})
	}
	return res, problems
}

// respond stores a participant's answers. A form whose CSRF token does
// not match (a cookie lost while the phone slept) is shown again with
// everything kept, to be sent once more.
func (s *Server) respond(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if err := r.ParseForm(); err != nil {
		http.Error(w, s.bundle.Negotiate(r).T("error.invalid_request"), http.StatusBadRequest)
		return
	}
	// Another site's post (a browser says so) is refused before the body
	// is read; the double-submit token below covers browsers that do not.
	if s.CrossOrigin(r) != nil {
		http.Error(w, s.bundle.Negotiate(r).T("error.csrf"), http.StatusForbidden)
		return
	}
	token := r.PathValue("token")
	inv, c, err := s.db.InvitationByToken(ctx, token)
	csrfOK := s.FormTokenMatches(r)
	switch {
	case consult.IsInvalidLink(err):
		status := http.StatusNotFound
		if !csrfOK {
			status = http.StatusForbidden
		}
		s.invalidLink(w, r, status)
		return
	case err != nil:
		s.PageError(w, r, err)
		return
	case !csrfOK:
		s.renderParticipate(w, r, http.StatusForbidden, inv, c, r.PostForm, []problem{{"consult.error.csrf", -1}})
		return
	case s.Voices() == nil:
		s.linkMessage(w, r, http.StatusServiceUnavailable, "consult.link.unavailable", "voices.no_key")
		return
	}
	lang := s.bundle.Negotiate(r).Tag()
	if l, ok := s.bundle.Lookup(r.URL.Query().Get("lang")); ok {
		lang = l.Tag()
	}
	resp, problems := responseFrom(c, r.PostForm, lang)
	if len(problems) > 0 {
		s.renderParticipate(w, r, http.StatusUnprocessableEntity, inv, c, r.PostForm, problems)
		return
	}
	_, err = s.Voices().RespondToConsultation(ctx, token, resp)
	switch {
	case consult.IsInvalidLink(err):
		s.invalidLink(w, r, http.StatusNotFound)
	case aftermath.ErrorCode(err) == aftermath.EINVALID:
		s.log.InfoContext(ctx, "consultation response refused", "consultation", c.ID, "err", err)
		s.renderParticipate(w, r, http.StatusUnprocessableEntity, inv, c, r.PostForm, []problem{{"consult.error.other", -1}})
	case err != nil:
		s.PageError(w, r, err)
	default:
		s.linkMessage(w, r, http.StatusOK, "consult.thanks.title", "consult.thanks", "org", c.OwnerOrg)
	}
}
