// Package analysis holds the statistical core of Aftermath: interrupted
// time series (OLS and count models), difference-in-differences, synthetic
// control, before/during/after summaries and a small CSV table reader.
//
// Everything is a pure function of its inputs (the CSV reader is the only
// I/O). Each result carries a Method text that says in plain words what was
// done, on how much data, and what the result cannot show: reported events
// are a lower bound of what happened, reporting changes over time, and every
// estimate here is an association, not proof of cause.
package analysis
