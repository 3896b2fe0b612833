// Package training holds the model-agnostic parts of training used by BERT (chapters 07–08) and
// GPT (chapters 09–12): learning-rate schedules, AdamW with a weight-decay mask, clipping by global
// norm, atomic checkpoints with resume, the final JSON metrics line and a small train loop.
//
// # Formulas
//
// Schedules (Schedule; it = update index 0, 1, …; W warm-up steps; T decay steps):
//
//	warm-up  it < W:      lr = peak·(it+1)/(W+1)
//	cosine   W ≤ it ≤ T:  lr = min + ½(1 + cos(π(it−W)/(T−W)))·(peak − min)
//	linear   W ≤ it ≤ T:  lr = peak + (it−W)/(T−W)·(min − peak)
//	it > T:               lr = min
//
// AdamW (AdamW), per parameter θ with gradient g at update t:
//
//	m ← β₁m + (1−β₁)g,  v ← β₂v + (1−β₂)g²
//	θ ← θ − lr_t·( m/(1−β₁ᵗ) / (√(v/(1−β₂ᵗ)) + ε) + λ·θ ),  λ = 0 for biases, norms, embeddings
//
// SGD with momentum μ (SGD), as torch.optim.SGD: g ← g + λθ, b ← μb + g, θ ← θ − lr_t·b.
//
// Clipping by global norm (ClipByGlobalNorm), as torch.nn.utils.clip_grad_norm_:
//
//	n = √(Σᵢ‖gᵢ‖²),  gᵢ ← gᵢ·min(1, max/(n + 1e-6))
//
// # Checkpoints
//
// SaveCheckpoint writes every variable of a model.Store (weights, AdamW moments, global step) to
// one safetensors file through WriteFileAtomic (temporary file, fsync, rename), so an interrupted
// save leaves the previous checkpoint intact; LoadCheckpoint restores it, and a Loop continues
// from the saved global step. ReadSafetensors/WriteSafetensors implement the Hugging Face
// safetensors layout (also used to load and export GPT-2 weights).
//
// # Loop and report
//
// Loop runs GoMLX's train.Trainer/train.Loop to a target step with the GoMLX progress bar,
// periodic evaluation and checkpoints. WriteJSONLine prints the final metrics object, the last
// line of every `bert2gpt … train|eval` command.
//
// # Watching a run (chapter 14)
//
// AdamW.Monitor / SGD.Monitor record, at each step and for every parameter θ, ‖∂L/∂θ‖ and the
// update ratio ‖Δθ‖/‖θ‖ (ReadMonitor). Loop.StopOnNonFinite stops at the first step whose loss or
// gradient is NaN or ±Inf with a NonFiniteError naming the step and the tensor.
package training
