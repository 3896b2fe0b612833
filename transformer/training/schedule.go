package training

import (
	"fmt"
	"math"

	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph"
)

// ScheduleKind selects the decay after the warm-up.
type ScheduleKind int

const (
	// Cosine decays from PeakLR to MinLR along half a cosine (GPT-2/3, nanoGPT).
	Cosine ScheduleKind = iota
	// Linear decays from PeakLR to MinLR along a straight line (BERT).
	Linear
	// Constant keeps PeakLR after the warm-up.
	Constant
)

// String returns "cosine", "linear" or "constant".
func (k ScheduleKind) String() string {
	switch k {
	case Cosine:
		return "cosine"
	case Linear:
		return "linear"
	case Constant:
		return "constant"
	}
	return fmt.Sprintf("ScheduleKind(%d)", int(k))
}

// Schedule is a learning-rate schedule as a function of the update index it = 0, 1, 2, …
// (it = globalStep − 1 for the update that makes the global step globalStep):
//
//	warm-up   (it < W):       lr = PeakLR · (it+1)/(W+1)
//	cosine    (W ≤ it ≤ T):   lr = MinLR + ½(1 + cos(π·(it−W)/(T−W)))·(PeakLR − MinLR)
//	linear    (W ≤ it ≤ T):   lr = PeakLR + (it−W)/(T−W)·(MinLR − PeakLR)
//	after the end (it > T):   lr = MinLR
//
// with W = WarmupSteps and T = DecaySteps. This is nanoGPT's get_lr (warm-up (it+1)/(W+1)).
type Schedule struct {
	Kind        ScheduleKind
	PeakLR      float64 // learning rate at the end of the warm-up
	MinLR       float64 // learning rate at DecaySteps and after
	WarmupSteps int     // W ≥ 0
	DecaySteps  int     // T > W (usually the total number of iterations)
}

// Validate reports the first bad field.
func (s Schedule) Validate() error {
	switch {
	case !(s.PeakLR > 0) || math.IsInf(s.PeakLR, 0):
		return fmt.Errorf("training.Schedule: PeakLR %g must be a positive finite number", s.PeakLR)
	case s.MinLR < 0 || s.MinLR > s.PeakLR:
		return fmt.Errorf("training.Schedule: MinLR %g must be in [0, PeakLR=%g]", s.MinLR, s.PeakLR)
	case s.WarmupSteps < 0:
		return fmt.Errorf("training.Schedule: WarmupSteps %d must be ≥ 0", s.WarmupSteps)
	case s.Kind != Constant && s.DecaySteps <= s.WarmupSteps:
		return fmt.Errorf("training.Schedule: DecaySteps %d must be > WarmupSteps %d", s.DecaySteps, s.WarmupSteps)
	case s.Kind < Cosine || s.Kind > Constant:
		return fmt.Errorf("training.Schedule: unknown kind %d", int(s.Kind))
	}
	return nil
}

// At returns the learning rate for update index it in closed form (float64, for plots and tests).
func (s Schedule) At(it int64) float64 {
	w, t := float64(s.WarmupSteps), float64(s.DecaySteps)
	x := float64(it)
	if x < w {
		return s.PeakLR * (x + 1) / (w + 1)
	}
	switch s.Kind {
	case Constant:
		return s.PeakLR
	case Cosine:
		if x > t {
			return s.MinLR
		}
		return s.MinLR + 0.5*(1+math.Cos(math.Pi*(x-w)/(t-w)))*(s.PeakLR-s.MinLR)
	default:
		if x > t {
			return s.MinLR
		}
		return s.PeakLR + (x-w)/(t-w)*(s.MinLR-s.PeakLR)
	}
}

// Graph builds the same function as At inside a graph: it is a scalar integer or float node
// holding the update index; the result is a scalar of the given dtype.
func (s Schedule) Graph(it *Node, dtype dtypes.DType) *Node {
	g := it.Graph()
	x := ConvertDType(it, dtypes.Float64)
	c := func(v float64) *Node { return Scalar(g, dtypes.Float64, v) }
	w, t := float64(s.WarmupSteps), float64(s.DecaySteps)
	warm := MulScalar(AddScalar(x, 1), s.PeakLR/(w+1))
	var decayed *Node
	switch s.Kind {
	case Constant:
		decayed = c(s.PeakLR)
	case Cosine:
		ratio := MinScalar(DivScalar(SubScalar(x, w), t-w), 1)
		coeff := MulScalar(AddScalar(Cos(MulScalar(ratio, math.Pi)), 1), 0.5)
		decayed = AddScalar(MulScalar(coeff, s.PeakLR-s.MinLR), s.MinLR)
	default:
		ratio := MinScalar(DivScalar(SubScalar(x, w), t-w), 1)
		decayed = AddScalar(MulScalar(ratio, s.MinLR-s.PeakLR), s.PeakLR)
	}
	lr := Where(LessThan(x, c(w)), warm, decayed)
	return ConvertDType(lr, dtype)
}
