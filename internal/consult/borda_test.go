package consult

import (
	"fmt"
	"testing"
)

func TestBordaFullBallots(t *testing.T) {
	// Three options, five participants; worked by hand:
	// A: 3+3+1+2+3 = 12, B: 2+1+3+3+1 = 10, C: 1+2+2+1+2 = 8.
	rows, err := Borda([]string{"A", "B", "C"}, [][]string{
		{"A", "B", "C"}, {"A", "C", "B"}, {"B", "C", "A"}, {"B", "A", "C"}, {"A", "C", "B"},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(rows)
	want := "[{A 12 [3 1 1] 5 1 false} {B 10 [2 1 2] 5 2 false} {C 8 [0 3 2] 5 3 false}]"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestBordaPartialBallotsAndTies(t *testing.T) {
	// A short ballot gives fewer points: {"C"} gives C one point, not three.
	rows, err := Borda([]string{"A", "B", "C", "D"}, [][]string{{"A", "B"}, {"B", "A"}, {"C"}})
	if err != nil {
		t.Fatal(err)
	}
	// A: 2+1 = 3, B: 1+2 = 3 (tied, same first preferences: by key), C: 1, D: 0.
	for i, want := range []struct {
		opt         string
		points, rnk int
		tied        bool
	}{{"A", 3, 1, true}, {"B", 3, 1, true}, {"C", 1, 3, false}, {"D", 0, 4, false}} {
		r := rows[i]
		if r.Option != want.opt || r.Points != want.points || r.Rank != want.rnk || r.TiedWithin != want.tied {
			t.Errorf("row %d = %+v, want %+v", i, r, want)
		}
	}
}

func TestBordaRefusesBadBallots(t *testing.T) {
	for _, ballots := range [][][]string{{{"A", "A"}}, {{"Z"}}} {
		if _, err := Borda([]string{"A", "B"}, ballots); err == nil {
			t.Errorf("%v accepted", ballots)
		}
	}
	if _, err := Borda([]string{"A", "A"}, nil); err == nil {
		t.Error("duplicate options accepted")
	}
}
