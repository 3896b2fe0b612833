package exercises

import (
	"fmt"
	"math"
	"strings"
)

// Result is a checker's verdict on the learner's answer to one exercise.
type Result struct {
	Exercise string // the exercise number, e.g. "2.1"
	Answered bool   // false while the blank cell still returns its placeholder
	Correct  bool   // the answer matches the truth (implies Answered)
	Message  string // what the learner reads, in Chinese; may span several lines
}

// String returns the message.
func (r Result) String() string { return r.Message }

// Print writes the message to standard output (in a notebook: below the checker cell).
func (r Result) Print() { fmt.Println(r.Message) }

// notAnswered is the verdict on a blank cell; todo says what to do in it, e.g. "实现 myLayerNorm".
func notAnswered(exercise, todo string) Result {
	return Result{Exercise: exercise, Message: fmt.Sprintf("练习 %s：还没有作答——在上一个单元格里%s。", exercise, todo)}
}

// correct is the verdict on a right answer: "练习 N.M：正确！" followed by extra, if any.
func correct(exercise, extra string) Result { return newVerdict(exercise).result(true, extra) }

// wrong is the verdict on a wrong answer explained in one message, "练习 N.M：" followed by
// format's text.
func wrong(exercise, format string, args ...any) Result {
	v := newVerdict(exercise)
	v.printf("练习 "+exercise+"："+format, args...)
	return v.result(false, "")
}

// verdict collects the lines of an answered exercise's message.
type verdict struct {
	exercise string
	lines    []string
}

func newVerdict(exercise string) *verdict { return &verdict{exercise: exercise} }

// printf adds one or more lines (a trailing newline is dropped).
func (v *verdict) printf(format string, args ...any) {
	v.lines = append(v.lines, strings.TrimSuffix(fmt.Sprintf(format, args...), "\n"))
}

// result returns the verdict: correct answers get "练习 N.M：正确！" (followed by extra, if any)
// after the lines collected so far; wrong ones get just those lines.
func (v *verdict) result(correct bool, extra string) Result {
	lines := v.lines
	if correct {
		lines = append(lines, fmt.Sprintf("练习 %s：正确！%s", v.exercise, extra))
	}
	return Result{Exercise: v.exercise, Answered: true, Correct: correct, Message: strings.Join(lines, "\n")}
}

// near reports |got − want| ≤ tol; a NaN answer is never near (math.Abs(NaN−x) > tol is false, so
// a test written "if math.Abs(got−want) > tol { wrong }" would accept NaN).
func near(got, want, tol float64) bool { return math.Abs(got-want) <= tol }
