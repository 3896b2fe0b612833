// Package exercises holds the checkers of the course's "由代码检查" (checked by code) exercises.
//
// Each chapter's 练习 section gives the learner a blank cell (a function returning a "not answered"
// value such as nil, -1 or NaN) and, after it, a checker cell. The checker cell is one call into
// this package, e.g.
//
//	exercises.Check2_1(be, myAttentionWeights).Print()
//
// CheckN_M computes the truth with the library (or, where the chapter defines it, with the same
// rule), runs the learner's answer on the same inputs as before the checkers moved here, and
// returns a [Result] whose Print shows the Chinese message the learner reads.
//
// The checkers live in a package, not in the notebooks, so that they can be tested: the package's
// tests run a reference solution of every exercise through its checker (it must be judged
// correct), the blank the lesson ships (it must be judged not answered) and plausible wrong answers
// (they must be judged wrong). Another test reads lessons/*.md and fails when a 由代码检查 exercise's
// checker cell does not call this package, or when a checker here is used by no lesson, so a new
// exercise cannot ship an untested checker.
package exercises
