package analysis

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// RankError reports a design matrix column that is (numerically) a linear
// combination of the columns before it, so the coefficients are not
// identified.
type RankError struct {
	Column int    // zero-based column index
	Name   string // column name when the caller knows it
}

func (e *RankError) Error() string {
	c := fmt.Sprintf("column %d", e.Column)
	if e.Name != "" {
		c = fmt.Sprintf("column %d (%q)", e.Column, e.Name)
	}
	return "design matrix is rank deficient: " + c + " is a linear combination of earlier columns (or all zero); the coefficients are not identified"
}

// rankTol is the smallest allowed sine of the angle between a column and
// the span of the columns before it. Below it the fit would lose most digits.
const rankTol = 1e-9

// OLSResult is an ordinary least squares fit.
type OLSResult struct {
	Coef      []float64
	Fitted    []float64
	Residuals []float64
	N, P      int

	x      *mat.Dense
	xtxInv *mat.SymDense
}

// OLS fits y = X b by least squares through a Householder QR of X. It returns
// a *RankError when X does not have full column rank.
func OLS(x *mat.Dense, y []float64) (*OLSResult, error) {
	n, p := x.Dims()
	if len(y) != n {
		return nil, fmt.Errorf("OLS: %d rows in X but %d values in y", n, len(y))
	}
	if n < p {
		return nil, fmt.Errorf("OLS: %d observations for %d parameters", n, p)
	}
	for i, v := range y {
		if !isFinite(v) {
			return nil, fmt.Errorf("OLS: y[%d] is %v", i, v)
		}
	}
	beta, xtxInv, err := qrLeastSquares(x, y)
	if err != nil {
		return nil, err
	}
	fit := make([]float64, n)
	res := make([]float64, n)
	for i := 0; i < n; i++ {
		s := 0.0
		for j := 0; j < p; j++ {
			s += x.At(i, j) * beta[j]
		}
		fit[i] = s
		res[i] = y[i] - s
	}
	return &OLSResult{Coef: beta, Fitted: fit, Residuals: res, N: n, P: p, x: x, xtxInv: xtxInv}, nil
}

// qrLeastSquares solves min ||X b − y|| and returns b and (X'X)^-1 = R^-1 R^-T.
func qrLeastSquares(x *mat.Dense, y []float64) ([]float64, *mat.SymDense, error) {
	n, p := x.Dims()
	var qr mat.QR
	qr.Factorize(x)
	var r mat.Dense
	qr.RTo(&r)
	for j := 0; j < p; j++ {
		norm := 0.0
		for i := 0; i < n; i++ {
			norm = math.Hypot(norm, x.At(i, j))
		}
		if !(norm > 0) || !(math.Abs(r.At(j, j)) > rankTol*norm) {
			return nil, nil, &RankError{Column: j}
		}
	}
	var b mat.VecDense
	if err := qr.SolveVecTo(&b, false, mat.NewVecDense(n, append([]float64(nil), y...))); err != nil {
		var c mat.Condition
		if !errors.As(err, &c) {
			return nil, nil, err
		}
	}
	tri := mat.NewTriDense(p, mat.Upper, nil)
	for i := 0; i < p; i++ {
		for j := i; j < p; j++ {
			tri.SetTri(i, j, r.At(i, j))
		}
	}
	var rinv mat.TriDense
	if err := rinv.InverseTri(tri); err != nil {
		var c mat.Condition
		if !errors.As(err, &c) {
			return nil, nil, err
		}
	}
	var inv mat.SymDense
	inv.SymOuterK(1, &rinv)
	beta := make([]float64, p)
	for j := range beta {
		beta[j] = b.AtVec(j)
	}
	return beta, &inv, nil
}

// XtXInv returns (X'X)^-1.
func (r *OLSResult) XtXInv() *mat.SymDense {
	return mat.NewSymDense(r.P, append([]float64(nil), r.xtxInv.RawSymmetric().Data...))
}

// ClassicalCov is s²(X'X)^-1 with s² = RSS/(n−p).
func (r *OLSResult) ClassicalCov() *mat.SymDense {
	rss := 0.0
	for _, u := range r.Residuals {
		rss += u * u
	}
	df := float64(r.N - r.P)
	s2 := math.NaN()
	if df > 0 {
		s2 = rss / df
	}
	var v mat.SymDense
	v.ScaleSym(s2, r.xtxInv)
	return &v
}

// NeweyWestCov is the Newey-West HAC covariance with Bartlett weights
// w_l = 1 − l/(L+1) and no small-sample correction:
// V = (X'X)^-1 S (X'X)^-1 with S = Σ u_t² x_t x_t' + Σ_l w_l Σ_t u_t u_{t−l}(x_t x_{t−l}' + x_{t−l} x_t').
// Rows must be in time order. lags < 0 uses DefaultHACLags(n); lags = 0 is
// White's HC0.
func (r *OLSResult) NeweyWestCov(lags int) *mat.SymDense {
	if lags < 0 {
		lags = DefaultHACLags(r.N)
	}
	h := scores(r.x, r.Residuals, nil)
	meat := make([]float64, r.P*r.P)
	addBartlettMeat(meat, r.P, h, lags)
	return sandwich(r.xtxInv, meat)
}

// DefaultHACLags is floor(4·(n/100)^(2/9)), the Newey-West (1994) rule of thumb.
func DefaultHACLags(n int) int {
	if n <= 0 {
		return 0
	}
	return int(math.Floor(4 * math.Pow(float64(n)/100, 2.0/9.0)))
}

// scores returns h_t = x_t·u_t·w_t (w nil means 1).
func scores(x *mat.Dense, u, w []float64) [][]float64 {
	n, p := x.Dims()
	h := make([][]float64, n)
	flat := make([]float64, n*p)
	for t := 0; t < n; t++ {
		ut := u[t]
		if w != nil {
			ut *= w[t]
		}
		row := flat[t*p : (t+1)*p]
		for j := 0; j < p; j++ {
			row[j] = x.At(t, j) * ut
		}
		h[t] = row
	}
	return h
}

// addBartlettMeat adds Σ_t h_t h_t' + Σ_{l=1..L} w_l Σ_{t>l} (h_t h_{t−l}' + h_{t−l} h_t')
// for one time-ordered score sequence to the p×p row-major matrix s.
func addBartlettMeat(s []float64, p int, h [][]float64, lags int) {
	n := len(h)
	for l := 0; l <= lags && l < n; l++ {
		w := 1.0
		if l > 0 {
			w = 1 - float64(l)/float64(lags+1)
		}
		for t := l; t < n; t++ {
			a, b := h[t], h[t-l]
			for i := 0; i < p; i++ {
				for j := 0; j < p; j++ {
					if l == 0 {
						s[i*p+j] += a[i] * a[j]
					} else {
						s[i*p+j] += w * (a[i]*b[j] + b[i]*a[j])
					}
				}
			}
		}
	}
}

// sandwich returns B S B for symmetric B and row-major S.
func sandwich(bread *mat.SymDense, meat []float64) *mat.SymDense {
	p := bread.SymmetricDim()
	s := mat.NewDense(p, p, meat)
	var tmp, out mat.Dense
	tmp.Mul(bread, s)
	out.Mul(&tmp, bread)
	v := mat.NewSymDense(p, nil)
	for i := 0; i < p; i++ {
		for j := i; j < p; j++ {
			v.SetSym(i, j, (out.At(i, j)+out.At(j, i))/2)
		}
	}
	return v
}

func diagSqrt(v *mat.SymDense) []float64 {
	p := v.SymmetricDim()
	out := make([]float64, p)
	for i := range out {
		out[i] = math.Sqrt(v.At(i, i))
	}
	return out
}

func newDense(r, c int, data []float64) *mat.Dense { return mat.NewDense(r, c, data) }
