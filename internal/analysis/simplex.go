package analysis

import "math"

// simplexLS solves min ||A w − b||² subject to w ≥ 0 and Σ w = 1 exactly,
// with a Lawson–Hanson style primal active-set method. On the passive set P
// the equality is eliminated exactly: w_ref = 1 − Σ others, which turns the
// subproblem into an unconstrained least squares on the differences
// a_i − a_ref, solved by Householder QR. No penalty rows are used, so the
// KKT conditions hold to rounding: the gradient g = A'(Aw − b) is equal on
// the support and not smaller off it.
//
// The struct holds its workspace so that repeated solves do not allocate.
type simplexLS struct {
	k, n int       // rows, columns
	a    []float64 // column-major: column j is a[j*k:(j+1)*k]
	b    []float64

	w, g, r []float64
	inP     []bool
	banned  []bool
	pas     []int
	qr      []float64 // k × (k+1) workspace, column-major
	c, z    []float64
	zp      []float64 // solution on P, in P order
}

func newSimplexLS(k, n int) *simplexLS {
	return &simplexLS{
		k: k, n: n,
		a: make([]float64, k*n), b: make([]float64, k),
		w: make([]float64, n), g: make([]float64, n), r: make([]float64, k),
		inP: make([]bool, n), banned: make([]bool, n),
		pas: make([]int, 0, k+2),
		qr:  make([]float64, k*(k+1)), c: make([]float64, k), z: make([]float64, k+1),
		zp: make([]float64, k+2),
	}
}

func (s *simplexLS) col(j int) []float64 { return s.a[j*s.k : (j+1)*s.k] }

// objective returns ||A w − b||² for the current solution.
func (s *simplexLS) objective() float64 {
	s.residual()
	o := 0.0
	for _, v := range s.r {
		o += v * v
	}
	return o
}

func (s *simplexLS) residual() {
	for i := range s.r {
		s.r[i] = -s.b[i]
	}
	for _, j := range s.pas {
		wj := s.w[j]
		for i, v := range s.col(j) {
			s.r[i] += wj * v
		}
	}
}

// solve runs the active-set method and returns w (owned by s).
func (s *simplexLS) solve() []float64 {
	k, n := s.k, s.n
	for j := 0; j < n; j++ {
		s.w[j], s.inP[j], s.banned[j] = 0, false, false
	}
	s.pas = s.pas[:0]
	// Start at the best single column; track the scale for tolerances.
	best, bestD := 0, math.Inf(1)
	maxA, nb := 0.0, 0.0
	for _, v := range s.b {
		nb += v * v
	}
	nb = math.Sqrt(nb)
	for j := 0; j < n; j++ {
		d, na := 0.0, 0.0
		for i, v := range s.col(j) {
			e := v - s.b[i]
			d += e * e
			na += v * v
		}
		maxA = math.Max(maxA, math.Sqrt(na))
		if d < bestD {
			best, bestD = j, d
		}
	}
	s.w[best], s.inP[best] = 1, true
	s.pas = append(s.pas, best)
	tol := 1e-13 * maxA * (maxA + nb)
	maxIter := 3*n + 50
	for iter := 0; iter < maxIter; iter++ {
		s.residual()
		gbar := 0.0
		for j := 0; j < n; j++ {
			g := 0.0
			for i, v := range s.col(j) {
				g += v * s.r[i]
			}
			s.g[j] = g
			if s.inP[j] {
				gbar += g
			}
		}
		gbar /= float64(len(s.pas))
		enter, most := -1, -tol
		for j := 0; j < n; j++ {
			if !s.inP[j] && !s.banned[j] && s.g[j]-gbar < most {
				enter, most = j, s.g[j]-gbar
			}
		}
		if enter < 0 || len(s.pas) > k {
			break
		}
		s.inP[enter] = true
		s.pas = append(s.pas, enter)
		first := true
		for {
			if !s.solveP() || (first && s.zp[len(s.pas)-1] <= 0 && s.pas[len(s.pas)-1] == enter) {
				// Rounding made the entering column look useful; drop it.
				s.drop(enter)
				s.banned[enter] = true
				break
			}
			if first {
				for j := range s.banned {
					s.banned[j] = false
				}
			}
			first = false
			allPos := true
			for _, zi := range s.zp[:len(s.pas)] {
				if zi <= 0 {
					allPos = false
					break
				}
			}
			if allPos {
				for i, j := range s.pas {
					s.w[j] = s.zp[i]
				}
				break
			}
			// Step from w towards z until the first weight hits zero.
			alpha, hit := 1.0, -1
			for i, j := range s.pas {
				if zi := s.zp[i]; zi <= 0 {
					a := 0.0
					if s.w[j] > 0 {
						a = s.w[j] / (s.w[j] - zi)
					}
					if a < alpha || hit < 0 {
						alpha, hit = a, j
					}
				}
			}
			for i, j := range s.pas {
				s.w[j] += alpha * (s.zp[i] - s.w[j])
			}
			s.w[hit] = 0
			for i := 0; i < len(s.pas); {
				if j := s.pas[i]; s.w[j] <= 0 {
					s.drop(j)
					continue
				}
				i++
			}
		}
	}
	// Remove the last rounding drift from Σw = 1.
	sum := 0.0
	for _, j := range s.pas {
		sum += s.w[j]
	}
	for _, j := range s.pas {
		s.w[j] /= sum
	}
	return s.w
}

func (s *simplexLS) drop(j int) {
	s.inP[j], s.w[j] = false, 0
	for i, p := range s.pas {
		if p == j {
			s.pas = append(s.pas[:i], s.pas[i+1:]...)
			return
		}
	}
}

// solveP solves the equality-constrained least squares on the passive set
// into zp (P order). It reports false when the differenced columns are
// rank deficient.
func (s *simplexLS) solveP() bool {
	k := s.k
	m := len(s.pas) - 1
	ref := s.col(s.pas[0])
	if m == 0 {
		s.zp[0] = 1
		return true
	}
	if m > k {
		return false
	}
	d := s.qr[:k*m]
	for c := 0; c < m; c++ {
		col := s.col(s.pas[c+1])
		dc := d[c*k : (c+1)*k]
		for i := range dc {
			dc[i] = col[i] - ref[i]
		}
	}
	for i := range s.c {
		s.c[i] = s.b[i] - ref[i]
	}
	// Householder QR of d (k × m), applied to c as we go.
	for c := 0; c < m; c++ {
		dc := d[c*k : (c+1)*k]
		norm := 0.0
		for i := c; i < k; i++ {
			norm = math.Hypot(norm, dc[i])
		}
		full := 0.0
		for i := 0; i < k; i++ {
			full = math.Hypot(full, dc[i])
		}
		if !(norm > 1e-11*full) {
			return false
		}
		if dc[c] > 0 {
			norm = -norm
		}
		// v = dc[c:] − norm·e1, stored in place; R_cc = norm.
		dc[c] -= norm
		vv := 0.0
		for i := c; i < k; i++ {
			vv += dc[i] * dc[i]
		}
		apply := func(x []float64) {
			dot := 0.0
			for i := c; i < k; i++ {
				dot += dc[i] * x[i]
			}
			f := 2 * dot / vv
			for i := c; i < k; i++ {
				x[i] -= f * dc[i]
			}
		}
		for c2 := c + 1; c2 < m; c2++ {
			apply(d[c2*k : (c2+1)*k])
		}
		apply(s.c)
		s.z[c] = norm // keep R_cc
	}
	// Back substitution R z = (Q'c)[:m]; R_ij (i<j) is d[j*k+i].
	for i := m - 1; i >= 0; i-- {
		v := s.c[i]
		for j := i + 1; j < m; j++ {
			v -= d[j*k+i] * s.zp[j+1]
		}
		s.zp[i+1] = v / s.z[i]
	}
	sum := 0.0
	for i := 1; i <= m; i++ {
		sum += s.zp[i]
	}
	s.zp[0] = 1 - sum
	return true
}
