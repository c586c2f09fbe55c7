package analysis

import (
	"math"
	"math/rand/v2"
	"testing"
)

// kktCheck verifies the simplex least-squares optimality conditions for w:
// w ≥ 0, Σw = 1, g = A'(Aw − b) equal on the support and not smaller off it,
// within 1e-9 relative to the problem's scale.
func kktCheck(t *testing.T, k, n int, a, b, w []float64) {
	t.Helper()
	r := make([]float64, k)
	for i := 0; i < k; i++ {
		r[i] = -b[i]
		for j := 0; j < n; j++ {
			r[i] += a[j*k+i] * w[j]
		}
	}
	maxA, nb := 0.0, 0.0
	for i := 0; i < k; i++ {
		nb += b[i] * b[i]
	}
	nb = math.Sqrt(nb)
	g := make([]float64, n)
	sum := 0.0
	for j := 0; j < n; j++ {
		na := 0.0
		for i := 0; i < k; i++ {
			g[j] += a[j*k+i] * r[i]
			na += a[j*k+i] * a[j*k+i]
		}
		maxA = math.Max(maxA, math.Sqrt(na))
		if w[j] < 0 {
			t.Fatalf("w[%d] = %g < 0", j, w[j])
		}
		sum += w[j]
	}
	if math.Abs(sum-1) > 1e-12 {
		t.Fatalf("Σw = %.17g", sum)
	}
	tol := 1e-9 * maxA * (maxA + nb)
	ref := math.NaN()
	for j := 0; j < n; j++ {
		if w[j] > 0 {
			if math.IsNaN(ref) {
				ref = g[j]
			} else if math.Abs(g[j]-ref) > tol {
				t.Fatalf("gradient differs on the support: g[%d] = %g vs %g (tol %g)", j, g[j], ref, tol)
			}
		}
	}
	for j := 0; j < n; j++ {
		if w[j] == 0 && g[j] < ref-tol {
			t.Fatalf("off-support gradient g[%d] = %g < %g − tol: moving weight there would lower the objective", j, g[j], ref)
		}
	}
}

// bruteSimplex finds the optimum by trying every support: on each subset it
// solves the bordered normal equations by Gaussian elimination and keeps
// strictly positive solutions. Independent of simplexLS.
func bruteSimplex(k, n int, a, b []float64) float64 {
	best := math.Inf(1)
	for mask := 1; mask < 1<<n; mask++ {
		var s []int
		for j := 0; j < n; j++ {
			if mask&(1<<j) != 0 {
				s = append(s, j)
			}
		}
		m := len(s)
		// [[A'A 1][1' 0]] [w λ] = [A'b 1]
		M := make([][]float64, m+1)
		for i := range M {
			M[i] = make([]float64, m+2)
		}
		for i := 0; i < m; i++ {
			for j := 0; j < m; j++ {
				for r := 0; r < k; r++ {
					M[i][j] += a[s[i]*k+r] * a[s[j]*k+r]
				}
			}
			M[i][m], M[m][i] = 1, 1
			for r := 0; r < k; r++ {
				M[i][m+1] += a[s[i]*k+r] * b[r]
			}
		}
		M[m][m+1] = 1
		ok := true
		for c := 0; c <= m && ok; c++ {
			p := c
			for r := c + 1; r <= m; r++ {
				if math.Abs(M[r][c]) > math.Abs(M[p][c]) {
					p = r
				}
			}
			if math.Abs(M[p][c]) < 1e-12 {
				ok = false
				break
			}
			M[c], M[p] = M[p], M[c]
			for r := 0; r <= m; r++ {
				if r != c {
					f := M[r][c] / M[c][c]
					for cc := c; cc <= m+1; cc++ {
						M[r][cc] -= f * M[c][cc]
					}
				}
			}
		}
		if !ok {
			continue
		}
		w := make([]float64, n)
		for i := 0; i < m; i++ {
			w[s[i]] = M[i][m+1] / M[i][i]
			if w[s[i]] < -1e-12 {
				ok = false
			}
		}
		if !ok {
			continue
		}
		best = math.Min(best, simplexObj(k, n, a, b, w))
	}
	return best
}

func simplexObj(k, n int, a, b, w []float64) float64 {
	o := 0.0
	for i := 0; i < k; i++ {
		r := -b[i]
		for j := 0; j < n; j++ {
			r += a[j*k+i] * w[j]
		}
		o += r * r
	}
	return o
}

func TestSimplexKKTRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 400; trial++ {
		k := 1 + rng.IntN(8)
		n := 1 + rng.IntN(40)
		s := newSimplexLS(k, n)
		scale := math.Pow(10, float64(rng.IntN(7)-3))
		for i := range s.a {
			s.a[i] = scale * rng.NormFloat64()
		}
		switch trial % 4 {
		case 0: // inside the hull: an exact fit exists
			w := make([]float64, n)
			sum := 0.0
			for j := range w {
				w[j] = rng.ExpFloat64()
				sum += w[j]
			}
			for i := 0; i < k; i++ {
				s.b[i] = 0
				for j := range w {
					s.b[i] += s.a[j*k+i] * w[j] / sum
				}
			}
		case 1: // duplicated and zero columns
			for j := 1; j < n; j += 3 {
				copy(s.col(j), s.col(j-1))
			}
			for i := 0; i < k; i++ {
				s.a[(n-1)*k+i] = 0
				s.b[i] = 3 * scale * rng.NormFloat64()
			}
		default:
			for i := range s.b {
				s.b[i] = 3 * scale * rng.NormFloat64()
			}
		}
		w := append([]float64(nil), s.solve()...)
		kktCheck(t, k, n, s.a, s.b, w)
		if n <= 10 {
			got, want := simplexObj(k, n, s.a, s.b, w), bruteSimplex(k, n, s.a, s.b)
			if got > want+1e-9*(want+scale*scale) {
				t.Fatalf("trial %d: objective %g > brute-force optimum %g", trial, got, want)
			}
		}
	}
}

func TestSimplexExactCombination(t *testing.T) {
	k, n := 6, 5
	rng := rand.New(rand.NewPCG(7, 7))
	s := newSimplexLS(k, n)
	for i := range s.a {
		s.a[i] = rng.NormFloat64()
	}
	for i := 0; i < k; i++ {
		s.b[i] = 0.3*s.a[1*k+i] + 0.7*s.a[3*k+i]
	}
	w := s.solve()
	want := []float64{0, 0.3, 0, 0.7, 0}
	for j := range want {
		if math.Abs(w[j]-want[j]) > 1e-12 {
			t.Fatalf("w = %v, want %v", w, want)
		}
	}
}
