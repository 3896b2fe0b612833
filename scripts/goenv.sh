# scripts/goenv.sh — sourced (POSIX sh) by every script that builds or runs the project's Go code:
# test.sh, bench.sh, lab.sh and gonb-kernel (which every notebook cell goes through).
#   GOEXPERIMENT=simd       about 3x faster matmuls on the pure-Go backend (AVX-512/AVX2 kernels)
#   GODEBUG+=cpu.fma=off    keeps math.Exp fast next to those kernels (~100x slower without it on
#                           FMA CPUs; the reason is in package backend, GODEBUGNoFMA)
# A value already in the environment is kept; the GODEBUG setting is added to any others there.
GOEXPERIMENT="${GOEXPERIMENT:-simd}"
case ",${GODEBUG:-}," in
  *,cpu.fma=off,*) ;;
  *) GODEBUG="${GODEBUG:+$GODEBUG,}cpu.fma=off" ;;
esac
export GOEXPERIMENT GODEBUG
