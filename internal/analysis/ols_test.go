package analysis

import (
	"errors"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// Hand-made data: 9 observations, intercept and two regressors.
var olsX = [][]float64{
	{1, 1, 0.5}, {1, 2, -1.0}, {1, 3, 2.0}, {1, 4, 0.0}, {1, 5, 1.5},
	{1, 6, -0.5}, {1, 7, 3.0}, {1, 8, 1.0}, {1, 9, -2.0},
}
var olsY = []float64{2.1, 1.3, 5.8, 3.9, 6.2, 4.4, 9.9, 7.1, 4.0}

// inv3 inverts a 3×3 matrix by cofactors.
func inv3(m [3][3]float64) [3][3]float64 {
	det := m[0][0]*(m[1][1]*m[2][2]-m[1][2]*m[2][1]) - m[0][1]*(m[1][0]*m[2][2]-m[1][2]*m[2][0]) + m[0][2]*(m[1][0]*m[2][1]-m[1][1]*m[2][0])
	var r [3][3]float64
	for i := 0; i < 3; i++ {
		for j := 0; j < 3; j++ {
			// cofactor of (j, i) for the adjugate
			a, b := [2]int{}, [2]int{}
			ai, bi := 0, 0
			for x := 0; x < 3; x++ {
				if x != j {
					a[ai] = x
					ai++
				}
				if x != i {
					b[bi] = x
					bi++
				}
			}
			minor := m[a[0]][b[0]]*m[a[1]][b[1]] - m[a[0]][b[1]]*m[a[1]][b[0]]
			sign := 1.0
			if (i+j)%2 == 1 {
				sign = -1
			}
			r[i][j] = sign * minor / det
		}
	}
	return r
}

func mul3(a, b [3][3]float64) [3][3]float64 {
	var r [3][3]float64
	for i := 0; i < 3; i++ {
		for j := 0; j < 3; j++ {
			for k := 0; k < 3; k++ {
				r[i][j] += a[i][k] * b[k][j]
			}
		}
	}
	return r
}

// handOLS computes β, residuals, (X'X)^-1 by explicit loops.
func handOLS() (beta [3]float64, u []float64, inv [3][3]float64) {
	var xtx [3][3]float64
	var xty [3]float64
	for t, row := range olsX {
		for i := 0; i < 3; i++ {
			xty[i] += row[i] * olsY[t]
			for j := 0; j < 3; j++ {
				xtx[i][j] += row[i] * row[j]
			}
		}
	}
	inv = inv3(xtx)
	for i := 0; i < 3; i++ {
		for j := 0; j < 3; j++ {
			beta[i] += inv[i][j] * xty[j]
		}
	}
	for t, row := range olsX {
		f := 0.0
		for i := 0; i < 3; i++ {
			f += row[i] * beta[i]
		}
		u = append(u, olsY[t]-f)
	}
	return beta, u, inv
}

// handNW builds S as the double sum Σ_t Σ_s k(|t−s|) u_t u_s x_t x_s' with the
// Bartlett kernel — a different arrangement from the implementation's.
func handNW(u []float64, inv [3][3]float64, L int) [3][3]float64 {
	var s [3][3]float64
	n := len(u)
	for t := 0; t < n; t++ {
		for r := 0; r < n; r++ {
			d := t - r
			if d < 0 {
				d = -d
			}
			if d > L {
				continue
			}
			w := 1 - float64(d)/float64(L+1)
			for i := 0; i < 3; i++ {
				for j := 0; j < 3; j++ {
					s[i][j] += w * u[t] * u[r] * olsX[t][i] * olsX[r][j]
				}
			}
		}
	}
	return mul3(mul3(inv, s), inv)
}

func olsFixture(t *testing.T) *OLSResult {
	x := mat.NewDense(len(olsX), 3, nil)
	for i, r := range olsX {
		x.SetRow(i, r)
	}
	fit, err := OLS(x, olsY)
	if err != nil {
		t.Fatal(err)
	}
	return fit
}

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol*math.Max(1, math.Abs(b)) }

func TestOLSAgainstClosedForm(t *testing.T) {
	fit := olsFixture(t)
	beta, u, inv := handOLS()
	for i := 0; i < 3; i++ {
		if !near(fit.Coef[i], beta[i], 1e-10) {
			t.Errorf("coef %d = %.15g, want %.15g", i, fit.Coef[i], beta[i])
		}
	}
	for i := range u {
		if !near(fit.Residuals[i], u[i], 1e-10) {
			t.Errorf("residual %d = %g, want %g", i, fit.Residuals[i], u[i])
		}
	}
	xi := fit.XtXInv()
	rss := 0.0
	for _, v := range u {
		rss += v * v
	}
	cl := fit.ClassicalCov()
	for i := 0; i < 3; i++ {
		for j := 0; j < 3; j++ {
			if !near(xi.At(i, j), inv[i][j], 1e-10) {
				t.Errorf("(X'X)^-1[%d,%d] = %g, want %g", i, j, xi.At(i, j), inv[i][j])
			}
			if want := rss / 6 * inv[i][j]; !near(cl.At(i, j), want, 1e-10) {
				t.Errorf("classical cov[%d,%d] = %g, want %g", i, j, cl.At(i, j), want)
			}
		}
	}
	for _, L := range []int{0, 1, 2, 3, 8} {
		want := handNW(u, inv, L)
		got := fit.NeweyWestCov(L)
		for i := 0; i < 3; i++ {
			for j := 0; j < 3; j++ {
				if !near(got.At(i, j), want[i][j], 1e-10) {
					t.Errorf("L=%d NW[%d,%d] = %.15g, want %.15g", L, i, j, got.At(i, j), want[i][j])
				}
			}
		}
	}
}

func TestNeweyWestL0IsHC0(t *testing.T) {
	fit := olsFixture(t)
	_, u, inv := handOLS()
	var meat [3][3]float64
	for t := range u {
		for i := 0; i < 3; i++ {
			for j := 0; j < 3; j++ {
				meat[i][j] += u[t] * u[t] * olsX[t][i] * olsX[t][j]
			}
		}
	}
	hc0 := mul3(mul3(inv, meat), inv)
	got := fit.NeweyWestCov(0)
	for i := 0; i < 3; i++ {
		for j := 0; j < 3; j++ {
			if !near(got.At(i, j), hc0[i][j], 1e-10) {
				t.Errorf("HC0[%d,%d] = %g, want %g", i, j, got.At(i, j), hc0[i][j])
			}
		}
	}
	// The default lag rule for n=9 is floor(4·0.09^(2/9)) = 2.
	def := fit.NeweyWestCov(-1)
	want := handNW(u, inv, 2)
	if !near(def.At(1, 1), want[1][1], 1e-10) {
		t.Errorf("default lags: %g, want %g", def.At(1, 1), want[1][1])
	}
}

func TestDefaultHACLags(t *testing.T) {
	for n, want := range map[int]int{9: 2, 50: 3, 100: 4, 240: 4, 1000: 6, 0: 0} {
		if got := DefaultHACLags(n); got != want {
			t.Errorf("DefaultHACLags(%d) = %d, want %d", n, got, want)
		}
	}
}

func TestOLSRankDeficient(t *testing.T) {
	x := mat.NewDense(5, 3, []float64{1, 1, 2, 1, 2, 4, 1, 3, 6, 1, 4, 8, 1, 5, 10})
	_, err := OLS(x, []float64{1, 2, 3, 4, 5})
	var re *RankError
	if !errors.As(err, &re) || re.Column != 2 {
		t.Fatalf("err = %v, want RankError on column 2", err)
	}
}
