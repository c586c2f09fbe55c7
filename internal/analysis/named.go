package analysis

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
)

// NamedValue is one labelled number.
type NamedValue struct {
	Name  string
	Value float64
}

// Named is an ordered name→value list. It marshals to a JSON object whose
// keys keep their order; non-finite values become null (JSON has no NaN).
type Named []NamedValue

// Get returns the value stored under name.
func (n Named) Get(name string) (float64, bool) {
	for _, nv := range n {
		if nv.Name == name {
			return nv.Value, true
		}
	}
	return math.NaN(), false
}

// Names returns the names in order.
func (n Named) Names() []string {
	out := make([]string, len(n))
	for i, nv := range n {
		out[i] = nv.Name
	}
	return out
}

// Map returns the values as a plain map.
func (n Named) Map() map[string]float64 {
	m := make(map[string]float64, len(n))
	for _, nv := range n {
		m[nv.Name] = nv.Value
	}
	return m
}

// MarshalJSON writes an ordered JSON object.
func (n Named) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, nv := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(nv.Name)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		v, err := json.Marshal(jsonNum(nv.Value))
		if err != nil {
			return nil, err
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func namedFrom(names []string, values []float64) Named {
	out := make(Named, len(names))
	for i := range names {
		out[i] = NamedValue{names[i], values[i]}
	}
	return out
}

// jsonNum maps NaN and ±Inf to nil so that encoding/json does not fail.
func jsonNum(x float64) any {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	return x
}

func jsonNums(xs []float64) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = jsonNum(x)
	}
	return out
}

// FormatTime writes a time the way result keys use it.
func FormatTime(t float64) string { return strconv.FormatFloat(t, 'f', -1, 64) }

// timeLabel names a time in a message or a method text: with the
// caller's name for it (a month such as 2021-07, where the times count
// months) when it gives one, else as "t = 6".
func timeLabel(name func(float64) string, t float64) string {
	if name != nil {
		return name(t)
	}
	return "t = " + FormatTime(t)
}

func g4(x float64) string { return strconv.FormatFloat(x, 'g', 4, 64) }

// z95 is the two-sided 95% normal quantile.
const z95 = 1.959963984540054

// normalP2 is the two-sided p-value of z under the standard normal.
func normalP2(z float64) float64 {
	if math.IsNaN(z) {
		return math.NaN()
	}
	return math.Erfc(math.Abs(z) / math.Sqrt2)
}

// inference holds z-statistics, p-values and 95% intervals for estimates.
type inference struct {
	se, z, p, lo, hi []float64
}

func inferNormal(coef, se []float64) inference {
	k := len(coef)
	inf := inference{se: se, z: make([]float64, k), p: make([]float64, k), lo: make([]float64, k), hi: make([]float64, k)}
	for i := range coef {
		inf.z[i] = coef[i] / se[i]
		inf.p[i] = normalP2(inf.z[i])
		inf.lo[i] = coef[i] - z95*se[i]
		inf.hi[i] = coef[i] + z95*se[i]
	}
	return inf
}

func isFinite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

func marshalMap(m map[string]any) ([]byte, error) { return json.Marshal(m) }
