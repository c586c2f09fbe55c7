// Why a hand-written Nelder–Mead and not gonum.org/v1/gonum/optimize
// (tried with gonum v0.17.0, optimize.NelderMead{Reflection: 1,
// Expansion: 2, Contraction: 0.5, Shrink: 0.5, SimplexSize: step}, the
// same starts, the same 1e-6 floor inside the objective and the same
// evaluation budget):
//
//   - The stopping rule cannot be expressed. Ours stops when the simplex
//     is within xtol of its best vertex in every coordinate and the
//     vertex values agree to ftol. A gonum Converger sees only the best
//     Location, never the simplex, so the nearest rule is
//     FunctionConverge ("no relative gain above ftol for N major
//     iterations"), with an N we would have to pick: N = 3 or 5 stops far
//     too early (ADH Prop 99 pre-period RMSPE 1.93 and 1.78 instead of
//     1.754), N = 10·dim gives about the same optima by a different rule.
//   - Even then the optima are not today's: the treated fits agree to
//     about 1e-8, but placebo fits move by up to 0.3% either way (ADH
//     placebos: Louisiana RMSPE 1.4285 → 1.4247, West Virginia
//     2.8437 → 2.8449), so published placebo ranks could change.
//   - It is slower: the optimiser runs as a goroutine fed over channels,
//     once per evaluation, and with FunctionConverge it takes about 9%
//     more evaluations. User CPU time at GOMAXPROCS=1: 8 iterations of
//     BenchmarkSynth40x30 (with placebos) 2.16–2.19 s → 2.71–2.79 s
//     (+27%); 100 of BenchmarkSynth40x30NoPlacebos 1.76–1.84 s →
//     1.92–1.95 s (+8%).
//   - optimize imports gonum/stat/distmv, which needs golang.org/x/tools:
//     one more module in go.mod for about 100 lines we already test.
//
// So the function below stays; it is deterministic and checked by
// TestSynthOuterSearch, the exact-mix tests and TestSynthADH2010Prop99.

package analysis

import (
	"math"
	"sort"
)

// nelderMead minimises f from x0 with the standard coefficients (reflection
// 1, expansion 2, contraction ½, shrink ½). It stops when the simplex is
// smaller than xtol in every coordinate and the values differ by at most
// ftol·|f_best| (+ tiny), or after maxEval evaluations. Deterministic.
func nelderMead(f func([]float64) float64, x0 []float64, step float64, maxEval int, xtol, ftol float64) ([]float64, float64, int) {
	n := len(x0)
	if n == 0 {
		return nil, f(x0), 1
	}
	pts := make([][]float64, n+1)
	fv := make([]float64, n+1)
	order := make([]int, n+1)
	for i := range pts {
		pts[i] = append([]float64(nil), x0...)
		if i > 0 {
			pts[i][i-1] += step
		}
		fv[i] = f(pts[i])
		order[i] = i
	}
	evals := n + 1
	cen := make([]float64, n)
	xr := make([]float64, n)
	xe := make([]float64, n)
	xc := make([]float64, n)
	for evals < maxEval {
		sort.SliceStable(order, func(a, b int) bool { return fv[order[a]] < fv[order[b]] })
		bi, wi, si := order[0], order[n], order[n-1]
		// Convergence: small simplex and flat values.
		spread := 0.0
		for _, p := range pts {
			for d := range p {
				spread = math.Max(spread, math.Abs(p[d]-pts[bi][d]))
			}
		}
		if spread <= xtol && fv[wi]-fv[bi] <= ftol*math.Abs(fv[bi])+1e-300 {
			break
		}
		for d := range cen {
			cen[d] = 0
		}
		for _, i := range order[:n] {
			for d := range cen {
				cen[d] += pts[i][d] / float64(n)
			}
		}
		for d := range xr {
			xr[d] = cen[d] + (cen[d] - pts[wi][d])
		}
		fr := f(xr)
		evals++
		switch {
		case fr < fv[bi]:
			for d := range xe {
				xe[d] = cen[d] + 2*(cen[d]-pts[wi][d])
			}
			fe := f(xe)
			evals++
			if fe < fr {
				copy(pts[wi], xe)
				fv[wi] = fe
			} else {
				copy(pts[wi], xr)
				fv[wi] = fr
			}
		case fr < fv[si]:
			copy(pts[wi], xr)
			fv[wi] = fr
		default:
			// Contract towards the better of the worst point and its reflection.
			if fr < fv[wi] {
				for d := range xc {
					xc[d] = cen[d] + 0.5*(xr[d]-cen[d])
				}
			} else {
				for d := range xc {
					xc[d] = cen[d] + 0.5*(pts[wi][d]-cen[d])
				}
			}
			fc := f(xc)
			evals++
			if fc < math.Min(fr, fv[wi]) {
				copy(pts[wi], xc)
				fv[wi] = fc
			} else {
				for _, i := range order[1:] {
					for d := range pts[i] {
						pts[i][d] = pts[bi][d] + 0.5*(pts[i][d]-pts[bi][d])
					}
					fv[i] = f(pts[i])
					evals++
				}
			}
		}
	}
	best := 0
	for i := range fv {
		if fv[i] < fv[best] {
			best = i
		}
	}
	return pts[best], fv[best], evals
}
