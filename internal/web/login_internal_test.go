package web

import "testing"

func TestSafeNextStaysOnTheSite(t *testing.T) {
	for next, want := range map[string]string{
		"/events?country=Mali": "/events?country=Mali",
		"/account":             "/account",
		"//evil.example":       "/",
		"/\t/evil.example":     "/",
		"/\\evil.example":      "/",
		"/ /evil.example":      "/",
		"https://evil.example": "/",
		"evil.example":         "/",
		"/\x00x":               "/",
		"":                     "/",
	} {
		if got := safeNext(next); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", next, got, want)
		}
	}
}
