#!/usr/bin/env bash
# Regenerates the bundled samples (deterministic: fixed seeds). Run from the repository root.
set -euo pipefail
cd "$(dirname "$0")/.."
# sparse: isolated blinking emitters, σ = 130 nm, 100 nm pixels, N = 2000, b = 20 photons/px,
# camera offset 100 ADU, 1 photoelectron/ADU, read noise 1.5 ADU.
node src/cli/smlm-stream.js simulate samples/sparse.tif \
  --width 96 --height 96 --frames 150 --pixel-size 100 --psf-sigma 130 \
  --density 0.1 --min-separation 800 --photons 2000 --background 20 --on-frames 3 \
  --baseline 100 --photons-per-adu 1 --read-noise 1.5 --seed 2026
