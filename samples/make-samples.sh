#!/usr/bin/env bash
# Regenerates the bundled samples (deterministic: fixed seeds). Run from the repository root.
set -euo pipefail
cd "$(dirname "$0")/.."
# filaments: blinking molecules on four microtubule-like filaments (5 µm persistence length)
# crossing an 8 × 8 µm field; σ = 130 nm, 100 nm pixels, N = 2000, b = 20 photons/px, camera
# offset 100 ADU, 1 photoelectron/ADU, read noise 1.5 ADU; molecules on together at least
# 800 nm apart (isolated spots: the precision is at the bound).
node src/cli/smlm-stream.js simulate samples/filaments.tif \
  --width 80 --height 80 --frames 300 --pixel-size 100 --psf-sigma 130 \
  --structure filaments --density 0.4 --min-separation 800 --photons 2000 --background 20 \
  --on-frames 3 --baseline 100 --photons-per-adu 1 --read-noise 1.5 --seed 2026 --quiet
