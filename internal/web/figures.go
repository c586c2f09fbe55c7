package web

// Figures a researcher can cite: the data of every chart as CSV, exactly
// what is drawn, with a `covered` column and the method and dataset
// versions in comment lines; and the template helpers that print a figure
// the data do not cover as "not covered", never as 0.

import (
	"net/http"
	"strconv"
	"strings"

	"aftermath"
	"aftermath/internal/analysis"
	"aftermath/internal/csvout"
	"aftermath/internal/figures"
	"aftermath/internal/i18n"
	"aftermath/internal/impact"
)

func init() {
	funcs["fig"] = figText
	funcs["figRange"] = figRange
	funcs["periodMean"] = func(l *i18n.Locale, p impact.Period) string {
		if p.CoveredMonths == 0 {
			return l.T("analysis.not_covered_short")
		}
		return l.Number(p.MonthlyMean, 1)
	}
	funcs["harmCivilians"] = figures.HarmCivilians
	funcs["partnerSide"] = figures.PartnerSide
	funcs["harmDates"] = figures.HarmDates
	funcs["analysisMethod"] = analysisMethod
	funcs["partnerText"] = partnerText
	funcs["qualityTable"] = func(l *i18n.Locale, quality string, periods []impact.Period) qualityTable {
		return qualityTable{L: l, Quality: quality, Periods: periods}
	}
	funcs["harmTable"] = func(l *i18n.Locale, quality string, rows []impact.HarmRow) harmTable {
		return harmTable{L: l, Quality: quality, Rows: rows}
	}
}

// qualityTable and harmTable are what the summary and harm partials need.
type qualityTable struct {
	L       *i18n.Locale
	Quality string
	Periods []impact.Period
}

type harmTable struct {
	L       *i18n.Locale
	Quality string
	Rows    []impact.HarmRow
}

// The wording of figures lives in package figures, shared with briefs.
var (
	figText        = figures.Text
	figRange       = figures.Range
	analysisMethod = figures.Method
	partnerText    = figures.PartnerText
)

// csvHead starts a CSV download: headers, then comment lines ("# …").
func csvHead(w http.ResponseWriter, name string, comments []string) *csvout.Writer {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
	for _, c := range comments {
		c = csvout.Comment(strings.NewReplacer("\u2066", "", "\u2069", "").Replace(c))
		w.Write([]byte("# " + c + "\n"))
	}
	return csvout.NewWriter(w)
}

func meanCell(covered int, v int64) string {
	if covered == 0 {
		return ""
	}
	return strconv.FormatFloat(float64(v)/float64(covered), 'f', 4, 64)
}

func versionsComment(l *i18n.Locale, dataset string, versions []string) string {
	return l.T("csv.versions", "dataset", dataset, "versions", strings.Join(versions, ", "))
}

// interventionCSV serves the data of one of an intervention's charts:
// monthly, yearly, harm or eventstudy. A hidden or missing intervention
// is 404; one the data do not cover is 404 too, with the reason.
func (s *Server) interventionCSV(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		iv, err := s.db.FindIntervention(ctx, viewerOf(ctx), r.PathValue("slug"))
		if err != nil {
			s.PageError(w, r, err)
			return
		}
		opt, err := analysisOptions(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if kind != "eventstudy" {
			opt.Method, opt.Comparison = "summary", nil
		} else if len(opt.Comparison) == 0 {
			http.Error(w, "the event study needs a comparison area: ?compare=ISO3,…", http.StatusBadRequest)
			return
		}
		l := s.bundle.Negotiate(r)
		rep, err := impact.Analyze(ctx, s.db, iv, opt)
		if err != nil {
			if aftermath.ErrorCode(err) == aftermath.EINVALID {
				http.Error(w, err.Error(), http.StatusNotFound)
				return
			}
			s.PageError(w, r, err)
			return
		}
		quality := ""
		if rep.Quality != "" {
			quality = "-" + rep.Quality
		}
		name := "aftermath-" + iv.Slug + "-" + kind + quality
		comments := []string{l.T("csv.intervention", "name", iv.Name), analysisMethod(l, rep), versionsComment(l, rep.Dataset, rep.Versions)}
		if rep.Quality != "" {
			comments = append(comments, l.T("analysis.quality."+rep.Quality))
		}
		var cw *csvout.Writer
		switch kind {
		case "monthly":
			cw = csvHead(w, name, append(comments, l.T("csv.monthly")))
			cw.Write([]string{"month", "covered", rep.Outcome, rep.Outcome + "_low", rep.Outcome + "_high", "partner_forces"})
			for _, m := range rep.Series {
				row := []string{m.Month, impact.CoveredNo, "", "", "", ""}
				if m.Covered {
					row = []string{m.Month, impact.CoveredYes, itoa(m.Total), itoa(min(m.Low, m.High)), itoa(max(m.Low, m.High)), itoa(m.Partner)}
				}
				cw.Write(row)
			}
		case "yearly":
			cw = csvHead(w, name, append(comments, l.T("csv.yearly")))
			cw.Write([]string{"year", "covered", "covered_months", rep.Outcome, rep.Outcome + "_low", rep.Outcome + "_high",
				"monthly_mean", "monthly_mean_partner_forces", "monthly_mean_intervening_forces", "monthly_mean_armed_groups", "monthly_mean_others"})
			for _, y := range rep.Yearly {
				row := []string{y.Year, y.Covered, strconv.Itoa(y.CoveredMonths), "", "", "", "", "", "", "", ""}
				if y.Covered != impact.CoveredNo {
					n := y.CoveredMonths
					row = []string{y.Year, y.Covered, strconv.Itoa(n), itoa(y.Total), itoa(min(y.Low, y.High)), itoa(max(y.Low, y.High)),
						meanCell(n, y.Total), meanCell(n, y.Partner), meanCell(n, y.Intervening), meanCell(n, y.ArmedGroups), meanCell(n, y.Others)}
				}
				cw.Write(row)
			}
		case "harm":
			if rep.Harm == nil {
				http.Error(w, "this intervention names no partner force", http.StatusNotFound)
				return
			}
			comments = []string{l.T("csv.intervention", "name", iv.Name), l.T("analysis.harm.method"), versionsComment(l, rep.Dataset, rep.Versions)}
			if rep.Quality != "" {
				comments = append(comments, l.T("analysis.quality."+rep.Quality))
			}
			for _, p := range rep.Harm.Partners {
				comments = append(comments, partnerText(l, rep.Dataset, p))
			}
			cw = csvHead(w, name, comments)
			cw.Flush()
			if err := impact.WriteHarmCSV(w, rep.Harm); err != nil {
				s.log.ErrorContext(ctx, "harm csv", "err", err)
			}
			return
		case "eventstudy":
			es, ok := rep.EventStudy.(*analysis.EventStudyResult)
			if !ok || es == nil {
				http.Error(w, "the event study could not run: "+strings.Join(rep.Skipped, "; "), http.StatusNotFound)
				return
			}
			cw = csvHead(w, name, append(comments, l.T("csv.eventstudy", "compare", strings.Join(opt.Comparison, ", "))))
			cw.Write([]string{"k", "label", "coef", "ci95_low", "ci95_high", "std_error", "p_value", "n_treated", "n_control"})
			f := func(v float64) string { return strconv.FormatFloat(v, 'g', 8, 64) }
			cw.Write([]string{strconv.Itoa(es.Reference), strconv.Itoa(es.Reference), "0", "", "", "", "", "", ""})
			for _, c := range es.Coefficients {
				cw.Write([]string{strconv.Itoa(c.K), c.Label, f(c.Coef), f(c.CILow), f(c.CIHigh), f(c.StdErr), f(c.PValue), strconv.Itoa(c.NTreated), strconv.Itoa(c.NControl)})
			}
		}
		cw.Flush()
		if err := cw.Error(); err != nil {
			s.log.ErrorContext(ctx, "csv", "err", err)
		}
	}
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

// placeCSV serves a country's monthly series of one dataset, as the
// place page draws it.
func (s *Server) placeCSV(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	iso3 := strings.ToUpper(r.PathValue("iso3"))
	if !iso3RE.MatchString(iso3) {
		s.notFound(w, r)
		return
	}
	dataset := r.URL.Query().Get("dataset")
	if dataset == "" {
		dataset = aftermath.DatasetUCDP
	}
	res, err := impact.Series(ctx, s.db, impact.SeriesOptions{Viewer: viewerOf(ctx), Dataset: dataset, Area: []aftermath.AreaRef{{Country: iso3}}})
	if err != nil {
		if aftermath.ErrorCode(err) == aftermath.EINVALID {
			s.notFound(w, r) // nothing the reader may see covers it
			return
		}
		s.PageError(w, r, err)
		return
	}
	l := s.bundle.Negotiate(r)
	cw := csvHead(w, "aftermath-"+strings.ToLower(iso3)+"-"+dataset+"-monthly", []string{
		l.T("places.csv.method", "dataset", dataset, "area", iso3, "from", res.From, "to", res.To), versionsComment(l, dataset, res.Versions)})
	cw.Flush()
	if err := impact.WriteSeriesCSV(w, res); err != nil {
		s.log.ErrorContext(ctx, "place csv", "err", err)
	}
}

// harmView is what the "harm-report" partial needs.
type harmView struct {
	L    *i18n.Locale
	Harm *impact.HarmReport
}

func init() {
	funcs["harmReport"] = func(l *i18n.Locale, h *impact.HarmReport) harmView { return harmView{L: l, Harm: h} }
	funcs["partnerRows"] = func(h *impact.HarmReport, name string) []impact.HarmRow {
		var out []impact.HarmRow
		for _, r := range h.Rows {
			if r.Partner == name {
				out = append(out, r)
			}
		}
		return out
	}
}
