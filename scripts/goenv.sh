# scripts/goenv.sh — sourced (POSIX sh) by every script that builds or runs the project's Go code:
# test.sh, bench.sh, lab.sh and gonb-kernel (which every notebook cell goes through).
#   GOEXPERIMENT=simd       about 3x faster matmuls on the pure-Go backend (AVX-512/AVX2 kernels)
#   GOTOOLCHAIN=go1.27.3    go.mod needs Go 1.27 (GoMLX v0.28.16); machines that pin GOTOOLCHAIN=local
#                           with an older Go fetch this toolchain through the module proxy (~76 MB, once)
# A value already in the environment is kept (GOTOOLCHAIN only when it names a toolchain, not local/auto).
case "${GOTOOLCHAIN:-local}" in
  local|auto|local+*|auto+*) GOTOOLCHAIN=go1.27.3 ;;
esac
GOEXPERIMENT="${GOEXPERIMENT:-simd}"
export GOEXPERIMENT GOTOOLCHAIN
