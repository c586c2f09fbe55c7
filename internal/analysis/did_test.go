package analysis

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestDiDExact2x2(t *testing.T) {
	treated := []Point{{1, 10}, {2, 12}, {3, 20}, {4, 22}, {5, 24}}
	control := []Point{{1, 5}, {2, 7}, {3, 8}, {4, 10}}
	r, err := DiD(treated, control, 3, DiDOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// (22 − 11) − (9 − 6) = 8
	if r.Estimate != 8 || r.TreatedPre != 11 || r.TreatedPost != 22 || r.ControlPre != 6 || r.ControlPost != 9 {
		t.Fatalf("got %+v", r)
	}
	if r.Counts != [4]int{2, 3, 2, 2} || r.N != 9 {
		t.Fatalf("counts %v n %d", r.Counts, r.N)
	}
	for name, w := range map[string]float64{"intercept": 6, "treated": 5, "post": 3, "treated_post": 8} {
		if got, _ := r.Coefficients.Get(name); math.Abs(got-w) > 1e-12 {
			t.Errorf("%s = %g, want %g", name, got, w)
		}
	}
	if r.PreTrend != nil || !strings.Contains(r.Method, "untested") {
		t.Errorf("pre-trend should be untested with 2 pre points: %+v", r.PreTrend)
	}
	b, err := json.Marshal(r)
	if err != nil || !strings.Contains(string(b), `"estimate":8`) || !strings.Contains(string(b), `"pre_trend":null`) {
		t.Errorf("json %s %v", b, err)
	}
}

func didSeries(seed uint64, slopeT, slopeC, effect float64) (tr, co []Point) {
	rng := rand.New(rand.NewPCG(seed, 5))
	for i := 0; i < 48; i++ {
		t := float64(i)
		post := b2f(t >= 24)
		tr = append(tr, Point{t, 20 + slopeT*t + effect*post + rng.NormFloat64()})
		co = append(co, Point{t, 12 + slopeC*t + rng.NormFloat64()})
	}
	return
}

func TestDiDPreTrend(t *testing.T) {
	tr, co := didSeries(1, 0.5, 0.5, 6)
	r, err := DiD(tr, co, 24, DiDOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if r.PreTrend == nil || r.PreTrend.Doubtful || r.ParallelTrendsDoubtful || r.PreTrend.PValue < 0.05 {
		t.Fatalf("parallel trends flagged: %+v", r.PreTrend)
	}
	if strings.Contains(r.Method, "doubtful") || !strings.Contains(r.Method, "does not prove parallel trends") {
		t.Errorf("method: %s", r.Method)
	}
	if se, _ := r.StdErrors.Get("treated_post"); math.Abs(r.Estimate-6) > 4*se || !(se > 0) {
		t.Errorf("estimate %g ± %g, want 6", r.Estimate, se)
	}
	if p, _ := r.PValues.Get("treated_post"); !(p < 0.001) {
		t.Errorf("p = %g for an effect of 6 with noise 1", p)
	}

	tr, co = didSeries(1, 0.5, 0.1, 6)
	r, err = DiD(tr, co, 24, DiDOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if r.PreTrend == nil || !r.PreTrend.Doubtful || !r.ParallelTrendsDoubtful {
		t.Fatalf("diverging pre-trends not flagged: %+v", r.PreTrend)
	}
	if math.Abs(r.PreTrend.Coef-0.4) > 0.1 {
		t.Errorf("slope difference %g, want 0.4", r.PreTrend.Coef)
	}
	if !strings.Contains(r.Method, "parallel-trends assumption is doubtful") {
		t.Errorf("method: %s", r.Method)
	}
}

func TestDiDErrors(t *testing.T) {
	tr := []Point{{1, 1}, {2, 2}, {3, 3}}
	co := []Point{{1, 1}, {2, 2}, {3, 3}}
	if _, err := DiD(tr, co, 5, DiDOptions{}); err == nil || !strings.Contains(err.Error(), "after") {
		t.Errorf("no post: %v", err)
	}
	if _, err := DiD(tr, co, 1, DiDOptions{}); err == nil || !strings.Contains(err.Error(), "before") {
		t.Errorf("no pre: %v", err)
	}
	if _, err := DiD([]Point{{1, math.NaN()}, {3, 1}}, co, 2, DiDOptions{}); err == nil || !strings.Contains(err.Error(), "treated point 1") {
		t.Errorf("NaN: %v", err)
	}
}

// The DiD standard errors sum scores over both series at each time before
// the Bartlett sum (Driscoll-Kraay); check against explicit loops.
func TestDiDDriscollKraay(t *testing.T) {
	tr, co := didSeries(9, 0.2, 0.2, 3)
	tr, co = tr[:20], co[:20]
	r, err := DiD(tr, co, 10, DiDOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b := r.Coefficients
	a0, b0, c0, d0 := b[0].Value, b[1].Value, b[2].Value, b[3].Value
	// Scores per time for (1, treated, post, treated·post).
	var h [][4]float64
	var xtx [4][4]float64
	for i := range tr {
		post := b2f(tr[i].T >= 10)
		xt := [4]float64{1, 1, post, post}
		xc := [4]float64{1, 0, post, 0}
		ut := tr[i].Y - (a0 + b0 + c0*post + d0*post)
		uc := co[i].Y - (a0 + c0*post)
		var hs [4]float64
		for j := 0; j < 4; j++ {
			hs[j] = xt[j]*ut + xc[j]*uc
			for k := 0; k < 4; k++ {
				xtx[j][k] += xt[j]*xt[k] + xc[j]*xc[k]
			}
		}
		h = append(h, hs)
	}
	L := DefaultHACLags(20)
	var s [4][4]float64
	for i := range h {
		for k := range h {
			d := i - k
			if d < 0 {
				d = -d
			}
			if d > L {
				continue
			}
			w := 1 - float64(d)/float64(L+1)
			for p := 0; p < 4; p++ {
				for q := 0; q < 4; q++ {
					s[p][q] += w * h[i][p] * h[k][q]
				}
			}
		}
	}
	// The design is block-simple: invert X'X by Gauss-Jordan.
	inv := gaussInverse4(xtx)
	var v [4][4]float64
	for p := 0; p < 4; p++ {
		for q := 0; q < 4; q++ {
			for i := 0; i < 4; i++ {
				for j := 0; j < 4; j++ {
					v[p][q] += inv[p][i] * s[i][j] * inv[j][q]
				}
			}
		}
	}
	for p, nv := range r.StdErrors {
		if want := math.Sqrt(v[p][p]); !near(nv.Value, want, 1e-10) {
			t.Errorf("SE %s = %.15g, want %.15g", nv.Name, nv.Value, want)
		}
	}
}

func gaussInverse4(m [4][4]float64) [4][4]float64 {
	var a [4][8]float64
	for i := 0; i < 4; i++ {
		copy(a[i][:4], m[i][:])
		a[i][4+i] = 1
	}
	for c := 0; c < 4; c++ {
		p := c
		for r := c + 1; r < 4; r++ {
			if math.Abs(a[r][c]) > math.Abs(a[p][c]) {
				p = r
			}
		}
		a[c], a[p] = a[p], a[c]
		for r := 0; r < 4; r++ {
			if r != c {
				f := a[r][c] / a[c][c]
				for k := 0; k < 8; k++ {
					a[r][k] -= f * a[c][k]
				}
			}
		}
	}
	var out [4][4]float64
	for i := 0; i < 4; i++ {
		for j := 0; j < 4; j++ {
			out[i][j] = a[i][4+j] / a[i][i]
		}
	}
	return out
}
