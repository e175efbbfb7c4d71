#!/bin/bash
# The sha256 of the CSVs this checkout writes for the bundled sample and for simulated sparse,
# dense, sCMOS and 3-D stacks (both fit and detection engines; one worker and multi-emitter off
# too), for refactors that must not change the output: run it before and after, compare.
#   npm run build && test/build/outputSums.sh DIR     (writes DIR/sums.txt; ~30 s)
# The stacks are simulated into DIR once and reused; a fresh DIR simulates them anew (the truth
# CSVs are in the sums, so the simulator is checked too).
set -euo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${1:?usage: test/build/outputSums.sh DIR}
mkdir -p "$OUT" && cd "$OUT"
S="node $REPO/dist/src/cli/smlm-stream.js"
[ -f sparse.tif ] || $S simulate sparse.tif --width 128 --height 128 --frames 300 --density 0.2 --quiet --seed 3
[ -f dense.tif ] || $S simulate dense.tif --width 128 --height 128 --frames 200 --density 1.5 --quiet --seed 4
[ -f scmos.tif ] || $S simulate scmos.tif --width 96 --height 96 --frames 200 --density 0.3 --sensor scmos --quiet --seed 5
[ -f beads.tif ] || $S simulate beads.tif --beads --quiet --seed 6
[ -f astig.tif ] || $S simulate astig.tif --width 96 --height 96 --frames 200 --density 0.3 --astigmatism 400 --quiet --seed 7
rm -f ./*.loc.*.csv ./*.loc.*.json calib.json psf.h5 psf.json
$S calibrate-3d beads.tif --z-start -800 --z-step 20 -o calib.json > /dev/null
# The spline path too (the .h5's f32 coefficients through both kernels); the file itself is not
# summed (HDF5 holds no fixed bytes for equal content), its localizations are.
$S calibrate-psf beads.tif --z-start -800 --z-step 20 -o psf.h5 > /dev/null
for e in wasm js; do
  engines="--fit-engine $e --detect-engine $e --quiet"
  $S localize "$REPO/samples/filaments.tif" -o "sample.loc.$e.csv" $engines
  $S localize sparse.tif -o "sparse.loc.$e.csv" $engines
  $S localize dense.tif -o "dense.loc.$e.csv" $engines 2> /dev/null
  $S localize scmos.tif -o "scmos.loc.$e.csv" --offset-map scmos.offset.tif --variance-map scmos.variance.tif --gain-map scmos.gain.tif $engines
  $S localize astig.tif -o "astig.loc.$e.csv" --calibration calib.json $engines
  $S localize astig.tif -o "astig.spline.loc.$e.csv" --calibration psf.h5 $engines
done
$S localize dense.tif -o dense.loc.w1.csv --workers 1 --quiet 2> /dev/null
$S localize dense.tif -o dense.loc.multi-off.csv --multi-emitter off --quiet 2> /dev/null
sha256sum ./*.csv calib.json | sed 's#  \./#  #' > sums.txt
cat sums.txt
