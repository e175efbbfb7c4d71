"""Golden values for test/fit/erf.test.ts and the tail test of the PSF axis terms.

Run with python3 and mpmath (50 significant digits); writes erf_reference.json beside this file.
The JSON stores the references as decimal strings with 20 significant digits, more than a double holds.
"""
import json
import os
from mpmath import mp, mpf, erf, erfc, ncdf

mp.dps = 50

xs = sorted(set(
    [0, 1e-300, 1e-20, 1e-8, 1e-3, 0.1, 0.25, 0.46875, 0.46876, 0.5, 0.75, 0.84375, 1, 1.25, 1.5, 2,
     2.5, 3, 3.5, 3.999, 4, 4.001, 4.5, 5, 5.5, 5.9, 6, 6.5, 8, 10, 15, 20, 26, 26.5, 27, 30]
    + [i / 37 for i in range(1, 300)]
))
points = []
for v in xs:
    for x in ([mpf(v), -mpf(v)] if v != 0 else [mpf(0)]):
        points.append({"x": float(x), "erf": mp.nstr(erf(mpf(float(x))), 20),
                       "erfc": mp.nstr(erfc(mpf(float(x))), 20)})

# Pixel integrals of a unit Gaussian centred at c (sigma s) over [i, i+1): far tails included.
pixels = []
for (c, s) in [(-5.0, 1.0), (-9.5, 1.0), (12.3, 1.0), (3.5, 0.6), (-20.0, 1.5), (2.25, 1.3)]:
    for i in range(7):
        lo = (mpf(i) - mpf(c)) / mpf(s)
        hi = (mpf(i + 1) - mpf(c)) / mpf(s)
        # Integrate on the side of the centre the pixel lies on (upper/lower tail differences):
        # a CDF difference would cancel all 50 digits for the far-tail pixels.
        if lo >= 0:
            integral = (erfc(lo / mp.sqrt(2)) - erfc(hi / mp.sqrt(2))) / 2
        elif hi <= 0:
            integral = (erfc(-hi / mp.sqrt(2)) - erfc(-lo / mp.sqrt(2))) / 2
        else:
            integral = ncdf(hi) - ncdf(lo)
        pixels.append({"center": c, "sigma": s, "pixel": i, "integral": mp.nstr(integral, 20)})

out = {"generatedBy": "make_erf_reference.py (mpmath, 50 digits)", "points": points, "pixels": pixels}
with open(os.path.join(os.path.dirname(__file__), "erf_reference.json"), "w") as f:
    json.dump(out, f, indent=0)
