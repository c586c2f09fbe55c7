// Package briefdoc makes a brief into what people read: its embeds
// resolved against the services with the reader's rights (every record
// through the same service calls the pages use, so a brief shows nothing
// its reader could not open), a page of its own with a table of contents,
// notes and bibliography, and that page printed to PDF by headless
// Chromium. The web app, the command line and the static site all render
// through here, so a brief reads the same in all three.
package briefdoc

import (
	"context"
	"fmt"
	"html/template"
	"strconv"
	"strings"

	"aftermath"
	"aftermath/internal/brief"
	"aftermath/internal/figures"
	"aftermath/internal/geo"
	"aftermath/internal/i18n"
	"aftermath/internal/impact"
)

// Services are what a brief's embeds read.
type Services struct {
	Interventions interface {
		FindIntervention(ctx context.Context, v aftermath.Viewer, ref string) (*aftermath.Intervention, error)
	}
	Figures aftermath.EventFigures
	// Quotes is nil when the vault key is not loaded: a quote then cannot
	// be shown and says so.
	Quotes interface {
		QuoteBank(ctx context.Context, v aftermath.Viewer, f aftermath.QuoteFilter) ([]aftermath.Quote, error)
	}
	// Flows reads SIPRI and IATI data for flows charts.
	Flows   impact.FlowFigures
	Records interface {
		Source(ctx context.Context, v aftermath.Viewer, id int64) (*aftermath.Source, error)
		Recommendation(ctx context.Context, v aftermath.Viewer, id int64) (*aftermath.Recommendation, error)
		Claim(ctx context.Context, v aftermath.Viewer, id int64) (*aftermath.Claim, error)
	}
}

// Render resolves body's embeds for v and writes it in l's language.
func Render(ctx context.Context, svc Services, v aftermath.Viewer, l *i18n.Locale, body string) (*brief.Output, error) {
	r := &resolver{ctx: ctx, svc: svc, v: v, l: l, reports: map[string]*impact.Report{}}
	return brief.Render(body, r)
}

type resolver struct {
	ctx     context.Context
	svc     Services
	v       aftermath.Viewer
	l       *i18n.Locale
	reports map[string]*impact.Report // by intervention, dataset, outcome, comparison
}

func (r *resolver) Resolve(e *brief.Embed) (*brief.Resolved, error) {
	switch e.Kind {
	case brief.KindChart:
		return r.chart(e)
	case brief.KindFigure:
		return r.figure(e)
	case brief.KindTable:
		return r.table(e)
	case brief.KindQuote:
		return r.quote(e)
	case brief.KindCite:
		return r.cite(e)
	case brief.KindRecommendation:
		return r.recommendation(e)
	case brief.KindClaim:
		return r.claim(e)
	}
	return nil, fmt.Errorf("no such embed %q", e.Kind)
}

// report analyses an embed's intervention once per brief, whatever the
// number of its charts and figures.
func (r *resolver) report(e *brief.Embed) (*aftermath.Intervention, *impact.Report, error) {
	iv, err := r.svc.Interventions.FindIntervention(r.ctx, r.v, e.Attrs["intervention"])
	if err != nil {
		return nil, nil, err
	}
	opt := impact.Options{Viewer: r.v, Dataset: e.Attrs["dataset"], Outcome: e.Attrs["outcome"], Method: "summary"}
	if opt.Outcome == "" {
		opt.Outcome = "events"
	}
	if c := e.Attrs["compare"]; c != "" && e.Attrs["kind"] == "event-study" {
		opt.Comparison, opt.Method = strings.Split(c, ","), "did"
	}
	key := strings.Join([]string{iv.Slug, opt.Dataset, opt.Outcome, strings.Join(opt.Comparison, ",")}, "|")
	if rep, ok := r.reports[key]; ok {
		return iv, rep, nil
	}
	rep, err := impact.Analyze(r.ctx, r.svc.Figures, iv, opt)
	if err != nil {
		return nil, nil, err
	}
	r.reports[key] = rep
	return iv, rep, nil
}

// methodNote is the note every figure and table carries: its method, data
// and versions.
func (r *resolver) methodNote(rep *impact.Report) template.HTML {
	return esc(figures.Method(r.l, rep) + " " + figures.CreditVersions(r.l, rep.Dataset, rep.Versions))
}

func (r *resolver) chart(e *brief.Embed) (*brief.Resolved, error) {
	if e.Attrs["flows"] != "" {
		return r.flowsChart(e)
	}
	iv, rep, err := r.report(e)
	if err != nil {
		return nil, err
	}
	var svg template.HTML
	switch e.Attrs["kind"] {
	case "monthly":
		svg, err = figures.Monthly(r.l, iv, rep)
	case "yearly":
		svg, err = figures.Yearly(r.l, iv, rep)
	case "event-study":
		svg, err = figures.EventStudy(r.l, iv, rep)
		if err == nil && svg == "" {
			err = fmt.Errorf("the event study could not run: %s", strings.Join(rep.Skipped, "; "))
		}
	case "harm":
		return r.harm(iv, rep)
	}
	if err != nil {
		return nil, err
	}
	return &brief.Resolved{HTML: `<figure class="chart">` + svg + `</figure>`, Note: r.methodNote(rep)}, nil
}

// flowsChart draws arms delivered to a country by year, or its aid by
// purpose, with the method as the note.
func (r *resolver) flowsChart(e *brief.Embed) (*brief.Resolved, error) {
	if r.svc.Flows == nil {
		return nil, fmt.Errorf("no SIPRI or IATI data can be read here")
	}
	iso3 := e.Attrs["recipient"]
	if _, ok := geo.ByAlpha3(iso3); !ok {
		return nil, fmt.Errorf("recipient=%q is not a country", iso3)
	}
	from, _ := strconv.Atoi(e.Attrs["from"])
	to, _ := strconv.Atoi(e.Attrs["to"])
	var svg template.HTML
	var note string
	if e.Attrs["flows"] == "arms" {
		q := aftermath.DeliveryQuery{Recipients: []string{iso3}, From: from, To: to}
		if s := e.Attrs["supplier"]; s != "" {
			q.Suppliers = []string{s}
		}
		ds, err := r.svc.Flows.ArmsDeliveries(r.ctx, q)
		if err != nil {
			return nil, err
		}
		if len(ds) == 0 {
			return nil, fmt.Errorf("no SIPRI delivery to %s matches", iso3)
		}
		if svg, err = figures.ArmsByYear(r.l, iso3, ds, from, to); err != nil {
			return nil, err
		}
		note = r.l.T("money.chart.arms_desc") + " " + r.l.T("money.caveat.tiv") + " " + r.l.T("money.credit.sipri")
	} else {
		land, err := r.svc.Flows.FundingLandscape(r.ctx, aftermath.LandscapeQuery{Recipient: iso3, From: from, To: to})
		if err != nil {
			return nil, err
		}
		if svg, err = figures.Landscape(r.l, iso3, land, e.Attrs["currency"]); err != nil {
			return nil, err
		}
		if svg == "" {
			return nil, fmt.Errorf("no IATI disbursement to %s%s is imported", iso3, map[bool]string{true: " in " + e.Attrs["currency"], false: ""}[e.Attrs["currency"] != ""])
		}
		note = r.l.T("money.chart.aid_desc") + " " + r.l.T("money.caveat.iati") + " " + r.l.T("money.credit.iati")
	}
	return &brief.Resolved{HTML: `<figure class="chart">` + svg + `</figure>`, Note: esc(note)}, nil
}

// harm is the harm table of each partner force: what the forces the
// intervention backed did by their own events.
func (r *resolver) harm(iv *aftermath.Intervention, rep *impact.Report) (*brief.Resolved, error) {
	if rep.Harm == nil || len(rep.Harm.Partners) == 0 {
		return nil, fmt.Errorf("intervention %s names no partner force: there is no harm to show", iv.Slug)
	}
	l := r.l
	var b strings.Builder
	for _, p := range rep.Harm.Partners {
		b.WriteString(`<table class="harm"><caption>` + string(esc(figures.PartnerText(l, rep.Dataset, p))) + `</caption><thead><tr>`)
		for _, k := range []string{"measure", "covered", "dates", "events", "deaths", "civilians", "partner_side"} {
			b.WriteString(`<th scope="col">` + string(esc(l.T("analysis.harm.col."+k))) + `</th>`)
		}
		b.WriteString(`</tr></thead><tbody>`)
		for _, row := range rep.Harm.Rows {
			if row.Partner != p.Name {
				continue
			}
			cells := []string{figures.Range(l, row.Events, nil, nil), figures.Range(l, row.DeathsBest, row.DeathsLow, row.DeathsHigh),
				figures.HarmCivilians(l, row), figures.PartnerSide(l, row)}
			b.WriteString(`<tr><th scope="row">` + string(esc(l.T("analysis.measure."+row.Measure)+" · "+l.T("analysis."+row.Period))) + `</th><td>` +
				string(esc(l.T("analysis.covered."+row.Covered))) + `</td><td>` + string(esc(figures.HarmDates(l, row))) + `</td>`)
			for _, c := range cells {
				b.WriteString(`<td>` + string(esc(c)) + `</td>`)
			}
			b.WriteString(`</tr>`)
		}
		b.WriteString(`</tbody></table>`)
	}
	b.WriteString(`<p class="credit">` + string(esc(figures.CreditVersions(l, rep.Dataset, rep.Versions))) + `</p>`)
	return &brief.Resolved{HTML: template.HTML(b.String()), Note: esc(l.T("analysis.harm.method"))}, nil
}

// figure is one harm number in a sentence, with its range, and a note
// that says whose events, which period and how it was counted.
func (r *resolver) figure(e *brief.Embed) (*brief.Resolved, error) {
	iv, rep, err := r.report(e)
	if err != nil {
		return nil, err
	}
	if rep.Harm == nil || len(rep.Harm.Partners) == 0 {
		return nil, fmt.Errorf("intervention %s names no partner force", iv.Slug)
	}
	partner := e.Attrs["partner"]
	if partner == "" {
		if len(rep.Harm.Partners) > 1 {
			return nil, fmt.Errorf("intervention %s backs several forces: name one with partner=\"…\" (%s)", iv.Slug, partnerNames(rep.Harm))
		}
		partner = rep.Harm.Partners[0].Name
	}
	measure := map[string]string{"one-sided": impact.MeasureOneSided, "battles": impact.MeasureBattles}[e.Attrs["measure"]]
	for _, row := range rep.Harm.Rows {
		if !strings.EqualFold(row.Partner, partner) || row.Measure != measure || row.Period != e.Attrs["period"] {
			continue
		}
		l := r.l
		num := figures.Range(l, row.DeathsBest, row.DeathsLow, row.DeathsHigh)
		var p impact.HarmPartner
		for _, hp := range rep.Harm.Partners {
			if hp.Name == row.Partner {
				p = hp
			}
		}
		note := l.T("brief.figure.note", "partner", row.Partner, "measure", l.T("analysis.measure."+row.Measure), "period", l.T("analysis."+row.Period),
			"dates", figures.HarmDates(l, row), "covered", l.T("analysis.covered."+row.Covered), "events", figures.Text(l, row.Events)) +
			" " + figures.PartnerText(l, rep.Dataset, p) + " " + l.T("analysis.harm.method") + " " + figures.CreditVersions(l, rep.Dataset, rep.Versions)
		return &brief.Resolved{HTML: `<span class="figure">` + esc(num) + `</span>`, Note: esc(note)}, nil
	}
	return nil, fmt.Errorf("intervention %s has no partner force %q (%s)", iv.Slug, partner, partnerNames(rep.Harm))
}

func partnerNames(h *impact.HarmReport) string {
	var n []string
	for _, p := range h.Partners {
		n = append(n, p.Name)
	}
	return strings.Join(n, "; ")
}

// table is an intervention's series by year or month, as the CSV
// downloads give it: a month no dataset covers is "not covered", never 0.
func (r *resolver) table(e *brief.Embed) (*brief.Resolved, error) {
	iv, rep, err := r.report(e)
	if err != nil {
		return nil, err
	}
	l := r.l
	outcome := l.T("analysis.outcome." + rep.Outcome)
	var b strings.Builder
	b.WriteString(`<table class="series"><caption>` + string(esc(iv.Name+" — "+outcome)) + `</caption><thead><tr>`)
	cols := []string{l.T("analysis.chart.year_axis"), l.T("brief.table.covered"), outcome, l.T("analysis.class.partner")}
	if e.Attrs["by"] == "month" {
		cols[0] = l.T("analysis.chart.month_axis")
	}
	for _, c := range cols {
		b.WriteString(`<th scope="col">` + string(esc(c)) + `</th>`)
	}
	b.WriteString(`</tr></thead><tbody>`)
	row := func(label, covered string, total, low, high, partner int64) {
		b.WriteString(`<tr><th scope="row">` + string(esc(figures.Isolate(label))) + `</th><td>` + string(esc(l.T("analysis.covered."+covered))) + `</td>`)
		if covered == impact.CoveredNo {
			nc := string(esc(l.T("analysis.not_covered_short")))
			b.WriteString(`<td>` + nc + `</td><td>` + nc + `</td></tr>`)
			return
		}
		b.WriteString(`<td>` + string(esc(figures.Range(l, &total, ptr(min(low, high)), ptr(max(low, high))))) + `</td><td>` + string(esc(figures.Text(l, &partner))) + `</td></tr>`)
	}
	if e.Attrs["by"] == "month" {
		for _, m := range rep.Series {
			covered := impact.CoveredNo
			if m.Covered {
				covered = impact.CoveredYes
			}
			row(m.Month, covered, m.Total, m.Low, m.High, m.Partner)
		}
	} else {
		for _, y := range rep.Yearly {
			row(y.Year, y.Covered, y.Total, y.Low, y.High, y.Partner)
		}
	}
	b.WriteString(`</tbody></table><p class="credit">` + string(esc(figures.CreditVersions(l, rep.Dataset, rep.Versions))) + `</p>`)
	return &brief.Resolved{HTML: template.HTML(b.String()), Note: r.methodNote(rep)}, nil
}

func ptr(v int64) *int64 { return &v }

// quote shows an approved testimony's redacted text (in the brief's
// language when a redacted translation exists), its consent level and a
// coarse place: the country and first-level area, never finer.
func (r *resolver) quote(e *brief.Embed) (*brief.Resolved, error) {
	id := e.ID("testimony")
	if r.svc.Quotes == nil {
		return nil, fmt.Errorf("testimony %d cannot be shown: the vault key is not loaded", id)
	}
	q, err := r.quoteOf(id)
	if err != nil {
		return nil, err
	}
	l := r.l
	text, lang := q.Text, q.Language
	if t, ok := q.Translations[l.Tag()]; ok && t != "" && lang != l.Tag() {
		text, lang = t, l.Tag()
	}
	place := figures.Country(l, q.Country, q.Country)
	if q.Admin1 != "" {
		place = q.Admin1 + ", " + place
	}
	cite := []string{place}
	if len(q.Date) >= 7 {
		cite = append(cite, figures.Isolate(q.Date[:7])) // the month, not the day
	}
	cite = append(cite, l.T("voices.consent."+string(q.ConsentLevel)))
	if q.Attribution != "" {
		cite = append([]string{q.Attribution}, cite...)
	}
	var b strings.Builder
	b.WriteString(`<figure class="quote"><blockquote lang="` + string(esc(lang)) + `" dir="auto">`)
	for _, para := range strings.Split(strings.TrimSpace(text), "\n\n") {
		b.WriteString(`<p>` + string(esc(para)) + `</p>`)
	}
	b.WriteString(`</blockquote><figcaption>` + string(esc(strings.Join(cite, " · "))) + `</figcaption></figure>`)
	return &brief.Resolved{HTML: template.HTML(b.String())}, nil
}

// quoteOf finds one approved quote the reader may see; the quote bank
// leaves out every testimony not approved or not theirs to read, so one
// missing is "no such quote" whatever the reason.
func (r *resolver) quoteOf(id int64) (*aftermath.Quote, error) {
	qs, err := r.svc.Quotes.QuoteBank(r.ctx, r.v, aftermath.QuoteFilter{Testimony: id, Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(qs) == 0 || qs[0].TestimonyID != id {
		return nil, aftermath.Errorf(aftermath.ENOTFOUND, "there is no approved testimony %d you may quote", id)
	}
	return &qs[0], nil
}

// cite is a numbered note naming the source and page, and the source's
// entry in the bibliography.
func (r *resolver) cite(e *brief.Embed) (*brief.Resolved, error) {
	src, err := r.svc.Records.Source(r.ctx, r.v, e.ID("source"))
	if err != nil {
		return nil, err
	}
	note := src.Title
	if src.Publisher != "" {
		note = src.Publisher + ", " + note
	}
	if p := e.Attrs["page"]; p != "" {
		note += ", " + r.l.T("brief.cite.page", "page", p)
	}
	return &brief.Resolved{Note: esc(note), SourceKey: "source:" + strconv.FormatInt(src.ID, 10), Source: bibEntry(src)}, nil
}

// bibEntry is a source as the bibliography lists it: publisher, title,
// its own identifier, date and address.
func bibEntry(s *aftermath.Source) template.HTML {
	var parts []string
	if s.Publisher != "" {
		parts = append(parts, string(esc(s.Publisher)))
	}
	parts = append(parts, `<cite>`+string(esc(s.Title))+`</cite>`)
	if s.Identifier != "" {
		parts = append(parts, string(esc(s.Identifier)))
	}
	if s.Date != "" {
		parts = append(parts, string(esc(figures.Isolate(s.Date))))
	}
	if u := safeURL(s.URL); u != "" {
		parts = append(parts, `<a href="`+string(esc(u))+`">`+string(esc(u))+`</a>`)
	}
	return template.HTML(strings.Join(parts, ". ") + ".")
}

// safeURL keeps web addresses only: a source's URL is typed by a user.
func safeURL(u string) string {
	if strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://") {
		return u
	}
	return ""
}

func (r *resolver) recommendation(e *brief.Embed) (*brief.Resolved, error) {
	rec, err := r.svc.Records.Recommendation(r.ctx, r.v, e.ID("id"))
	if err != nil {
		return nil, err
	}
	l := r.l
	caption := []string{rec.Addressee.Name, l.T("brief.recommendation.status", "status", l.T("ledger.status."+rec.Status))}
	if rec.Number != "" {
		caption = append([]string{rec.Number}, caption...)
	}
	var b strings.Builder
	b.WriteString(`<figure class="recommendation"><blockquote><p>` + string(esc(rec.Text)) + `</p></blockquote><figcaption>` + string(esc(strings.Join(caption, " · "))) + `</figcaption>`)
	if rec.Response != "" {
		b.WriteString(`<p class="response">` + string(esc(l.T("brief.recommendation.response", "response", rec.Response))) + `</p>`)
	}
	b.WriteString(`</figure>`)
	return &brief.Resolved{HTML: template.HTML(b.String())}, nil
}

func (r *resolver) claim(e *brief.Embed) (*brief.Resolved, error) {
	c, err := r.svc.Records.Claim(r.ctx, r.v, e.ID("id"))
	if err != nil {
		return nil, err
	}
	l := r.l
	caption := []string{c.Author.Name, figures.Isolate(c.Date)}
	if c.AppearanceTitle != "" {
		caption = append(caption, c.AppearanceTitle)
	}
	var b strings.Builder
	b.WriteString(`<figure class="claim"><blockquote><p>` + string(esc(c.Text)) + `</p></blockquote><figcaption>` + string(esc(strings.Join(caption, " · "))) + `</figcaption>`)
	if c.Verdict != "" {
		b.WriteString(`<p class="verdict"><strong>` + string(esc(l.T("ledger.verdict."+c.Verdict))) + `</strong>`)
		if c.Reasoning != "" {
			b.WriteString(` — ` + string(esc(c.Reasoning)))
		}
		b.WriteString(`</p>`)
	}
	b.WriteString(`</figure>`)
	return &brief.Resolved{HTML: template.HTML(b.String())}, nil
}

func esc(s string) template.HTML { return template.HTML(template.HTMLEscapeString(s)) }
