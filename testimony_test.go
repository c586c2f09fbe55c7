package aftermath

import (
	"strings"
	"testing"
	"time"
)

func TestRedactCountsCodePoints(t *testing.T) {
	text := "قال أحمد إن الجنود جاؤوا إلى قرية الزاوية ليلاً."
	at := func(s string) (int, int) {
		i := strings.Index(text, s)
		start := len([]rune(text[:i]))
		return start, start + len([]rune(s))
	}
	s1, e1 := at("أحمد")
	s2, e2 := at("الزاوية")
	got, err := Redact(text, []RedactionSpan{{Start: s2, End: e2, Reason: RedactPlace}, {Start: s1, End: e1, Reason: RedactName}})
	if want := "قال [redacted: name] إن الجنود جاؤوا إلى قرية [redacted: place] ليلاً."; err != nil || got != want {
		t.Errorf("Redact = %q, %v", got, err)
	}
	if got, _ := Redact(text, nil); got != text {
		t.Error("no spans changed the text")
	}
	if RedactionMarker(RedactIdentifier) != "[redacted: identifying detail]" {
		t.Error(RedactionMarker(RedactIdentifier))
	}
	for _, bad := range [][]RedactionSpan{
		{{Start: 3, End: 3, Reason: RedactName}},
		{{Start: -1, End: 3, Reason: RedactName}},
		{{Start: 0, End: len([]rune(text)) + 1, Reason: RedactName}},
		{{Start: 0, End: 4, Reason: RedactName}, {Start: 2, End: 6, Reason: RedactPlace}},
		{{Start: 0, End: 4, Reason: "opinion"}},
	} {
		if _, err := Redact(text, bad); ErrorCode(err) != EINVALID {
			t.Errorf("Redact(%v) = %v", bad, err)
		}
	}
}

func TestTestimonyInputValidate(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	good := func() *TestimonyInput {
		return &TestimonyInput{Date: "2026-05", Country: "MLI", Language: "fr", Body: "x", Audience: AudiencePublic, RetainUntil: "2030-01-01",
			Consent: &Consent{Level: ConsentAnonymous, Method: ConsentOral, RecordedBy: "A", RecordedAt: "2026-05-02"}}
	}
	if err := good().Validate(now); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		change func(*TestimonyInput)
		field  string
	}{
		"no body":           {func(in *TestimonyInput) { in.Body = "  " }, "body"},
		"bad language":      {func(in *TestimonyInput) { in.Language = "French" }, "language"},
		"future date":       {func(in *TestimonyInput) { in.Date = "2026-07" }, "date"},
		"bad date":          {func(in *TestimonyInput) { in.Date = "2026-13-01" }, "date"},
		"no consent":        {func(in *TestimonyInput) { in.Consent = nil }, "consent"},
		"consent tomorrow":  {func(in *TestimonyInput) { in.Consent.RecordedAt = "2026-06-02" }, "consent"},
		"nobody recorded":   {func(in *TestimonyInput) { in.Consent.RecordedBy = "" }, "consent"},
		"internal to all":   {func(in *TestimonyInput) { in.Consent.Level = ConsentInternal }, "audience"},
		"nobody to read":    {func(in *TestimonyInput) { in.Audience = AudienceConfidential }, "readers"},
		"retention passed":  {func(in *TestimonyInput) { in.RetainUntil = "2026-06-01" }, "retain_until"},
		"same translation":  {func(in *TestimonyInput) { in.Translations = map[string]string{"fr": "y"} }, "translations"},
		"unknown age band":  {func(in *TestimonyInput) { in.Profile.AgeBand = "old" }, "profile"},
		"contact unallowed": {func(in *TestimonyInput) { in.Identity = &SpeakerIdentity{Contact: "x@y"} }, "identity"},
	} {
		in := good()
		tc.change(in)
		err := in.Validate(now)
		if ErrorCode(err) != EINVALID || !strings.HasPrefix(err.Error(), `field "`+tc.field+`"`) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if ConsentInternal.MaxAudience() != AudienceInternal || ConsentAnonymous.MaxAudience() != AudiencePublic {
		t.Error("MaxAudience")
	}
}
