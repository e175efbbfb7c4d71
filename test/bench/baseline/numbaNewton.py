"""Benchmark baseline: a compiled (numba @njit, one thread) Newton MLE of the 2-D fit.

The same model and problem as the fit core's single-emitter Gaussian case
(src/fit/assembly/fitPatch.ts with sigma fixed): a pixel-integrated Gaussian of width SIGMA on a
flat background, theta = (x, y, N, b), Poisson likelihood; the same start values (border median,
brightest 3x3 window, least squares for N and b), Newton's method on the exact Hessian (unrolled
Cholesky of -H, a damped solve where -H is not positive definite), the same step limits, the same
convergence test (largest of |dx|, |dy|, |dN|/N, |db|/max(b, 1) below the tolerance), the same
iteration cap, and the CRLB from the Fisher information (computed in the passes that anticipate
convergence, as the kernel does). Written as one would write it in numba: separable axis terms
(math.erf / math.exp once per pixel boundary), then the gradient and Hessian summed pixel by
pixel.

Used by test/bench/baseline/numbaCompare.ts (`npm run bench`):

    python3 numbaNewton.py PATCHES.f64 OUT.f64 CONFIG_JSON

PATCHES.f64: count * box * box little-endian float64 (photons, row-major). CONFIG_JSON holds the
fit options and the constants of src/fit/fitConstants.ts (passed in, so they have one home).
After compiling and fitting every patch once it writes OUT.f64 (count rows of OUT_COLUMNS values:
x, y, N, b, CRLB x, y, N, b, log-likelihood, iterations, status) and prints one JSON line
{"ready": true, "checksum": ...}. Then each line "time SECONDS" on stdin fits the whole batch
repeatedly for at least that much process CPU time and prints {"fits": F, "cpuSeconds": S};
"quit" (or end of input) ends it.
"""
import json
import math
import sys
import time

import numpy as np
from numba import njit

OUT_COLUMNS = 11


@njit
def axis_terms(center, box, sigma, value, d_center, d2_center):
    """E_i, dE_i/dc, d2E_i/dc2 of the pixel-integrated Gaussian along one axis."""
    scale = 1.0 / (sigma * math.sqrt(2.0))
    inv2s2 = 0.5 / (sigma * sigma)
    k1 = 1.0 / (math.sqrt(2.0 * math.pi) * sigma)
    k3 = k1 / (sigma * sigma)
    ua = -center
    ga = math.exp(-ua * ua * inv2s2)
    ea = math.erf(ua * scale)
    for i in range(box):
        ub = ua + 1.0
        gb = math.exp(-ub * ub * inv2s2)
        eb = math.erf(ub * scale)
        value[i] = 0.5 * (eb - ea)
        d_center[i] = (ga - gb) * k1
        d2_center[i] = (ga * ua - gb * ub) * k3
        ua = ub
        ga = gb
        ea = eb


@njit
def log_parabola_vertex(a, b, c):
    if not (a > 0 and b > 0 and c > 0):
        return np.nan
    la = math.log(a)
    lc = math.log(c)
    curvature = la - 2 * math.log(b) + lc
    if not (curvature < 0):
        return np.nan
    v = (0.5 * (la - lc)) / curvature
    return v if (v > -1 and v < 1) else np.nan


@njit
def initial_guess(d, box, sigma, min_background_guess, ex, dex, d2ex, ey, dey, d2ey, border, theta):
    """Start values (x, y, N, b) into theta; False for bad data."""
    total = 0.0
    peak = -np.inf
    nb = 0
    for row in range(box):
        for col in range(box):
            v = d[row * box + col]
            if not math.isfinite(v):
                return False
            total += v
            if v > peak:
                peak = v
            if row == 0 or row == box - 1 or col == 0 or col == box - 1:
                border[nb] = v
                nb += 1
    if not (peak > 0):
        return False
    # Insertion sort in place (no allocation per fit).
    for a in range(1, nb):
        v = border[a]
        k = a - 1
        while k >= 0 and border[k] > v:
            border[k + 1] = border[k]
            k -= 1
        border[k + 1] = v
    b = border
    half = nb >> 1
    median = b[half] if nb % 2 == 1 else 0.5 * (b[half - 1] + b[half])
    background = median if median > min_background_guess else min_background_guess
    best = -np.inf
    row0 = 0
    col0 = 0
    for r in range(box - 2):
        for c in range(box - 2):
            s = 0.0
            for q in range(3):
                k = (r + q) * box + c
                s += (d[k] + d[k + 1]) + d[k + 2]
            if s > best:
                best = s
                row0 = r
                col0 = c
    weight = 0.0
    sx = 0.0
    sy = 0.0
    c0 = 0.0
    c1 = 0.0
    c2 = 0.0
    r0 = 0.0
    r1 = 0.0
    r2 = 0.0
    for r in range(3):
        k = (row0 + r) * box + col0
        w0 = d[k] - background
        w1 = d[k + 1] - background
        w2 = d[k + 2] - background
        c0 += w0
        c1 += w1
        c2 += w2
        rs = w0 + w1 + w2
        if r == 0:
            r0 = rs
        elif r == 1:
            r1 = rs
        else:
            r2 = rs
        y = row0 + r + 0.5
        p0 = w0 if w0 > 0 else 0.0
        p1 = w1 if w1 > 0 else 0.0
        p2 = w2 if w2 > 0 else 0.0
        weight += p0; sx += p0 * (col0 + 0.5); sy += p0 * y
        weight += p1; sx += p1 * (col0 + 1 + 0.5); sy += p1 * y
        weight += p2; sx += p2 * (col0 + 2 + 0.5); sy += p2 * y
    vx = log_parabola_vertex(c0, c1, c2)
    vy = log_parabola_vertex(r0, r1, r2)
    if not math.isnan(vx):
        x = col0 + 1.5 + vx
    else:
        x = sx / weight if weight > 0 else col0 + 1.5
    if not math.isnan(vy):
        y = row0 + 1.5 + vy
    else:
        y = sy / weight if weight > 0 else row0 + 1.5
    axis_terms(x, box, sigma, ex, dex, d2ex)
    axis_terms(y, box, sigma, ey, dey, d2ey)
    sp = 0.0
    spp = 0.0
    snp = 0.0
    for row in range(box):
        for col in range(box):
            s = ex[col] * ey[row]
            sp += s
            spp += s * s
            snp += d[row * box + col] * s
    area = float(box * box)
    det = area * spp - sp * sp
    photons = (area * snp - sp * total) / det
    bls = (total - photons * sp) / area
    theta[0] = x
    theta[1] = y
    if det > 0 and photons > 0 and bls > min_background_guess:
        theta[2] = photons
        theta[3] = bls
    else:
        theta[2] = max(max(total - area * background, peak - background), 1.0)
        theta[3] = background
    return True


@njit
def cholesky_factor(a, n, lower):
    for r in range(n):
        for c in range(r + 1):
            s = a[r, c]
            for k in range(c):
                s -= lower[r, k] * lower[c, k]
            if r == c:
                if not (s > 0) or not math.isfinite(s):
                    return False
                lower[r, r] = math.sqrt(s)
            else:
                lower[r, c] = s / lower[c, c]
    return True


@njit
def cholesky_solve(lower, n, b, x):
    for r in range(n):
        s = b[r]
        for k in range(r):
            s -= lower[r, k] * x[k]
        x[r] = s / lower[r, r]
    for r in range(n - 1, -1, -1):
        s = x[r]
        for k in range(r + 1, n):
            s -= lower[k, r] * x[k]
        x[r] = s / lower[r, r]


@njit
def solve_newton(h, g, step, system, lower, c):
    """(-H) step = g by Cholesky; where -H is not positive definite, (-H + lambda diag|H|)."""
    lam = 0.0
    while True:
        for r in range(4):
            for q in range(4):
                system[r, q] = -h[r, q]
            if lam > 0:
                diag = abs(h[r, r])
                system[r, r] += lam * (diag if diag > c[6] else c[6])
        if cholesky_factor(system, 4, lower):
            break
        lam = c[3] if lam == 0 else lam * c[4]
        if lam > c[5]:
            return False
    cholesky_solve(lower, 4, g, step)
    return True


@njit
def fit_all(data, count, box, sigma, max_iterations, tolerance, max_step, c, out):
    """Fit `count` patches; c = constants (see main); rows of OUT_COLUMNS values into out."""
    area = box * box
    ex = np.empty(box); dex = np.empty(box); d2ex = np.empty(box)
    ey = np.empty(box); dey = np.empty(box); d2ey = np.empty(box)
    border = np.empty(4 * box)
    theta = np.empty(4)
    g = np.empty(4); h = np.empty((4, 4)); f = np.empty((4, 4))
    step = np.empty(4); system = np.empty((4, 4)); lower = np.empty((4, 4))
    z = np.empty(4)
    min_photons, min_background, max_shrink, leave_px = c[0], c[1], c[2], c[7]
    anticipate_end, min_background_guess = c[8], c[9]
    for p in range(count):
        d = data[p * area:(p + 1) * area]
        o = out[p]
        if not initial_guess(d, box, sigma, min_background_guess, ex, dex, d2ex, ey, dey, d2ey, border, theta):
            o[:] = np.nan
            o[10] = 3.0
            continue
        status = 1.0
        last_change = np.inf
        ready = False
        ll_end = 0.0
        iteration = 0
        while iteration < max_iterations:
            iteration += 1
            anticipate = last_change < anticipate_end
            x, y, n_ph, bg = theta[0], theta[1], theta[2], theta[3]
            axis_terms(x, box, sigma, ex, dex, d2ex)
            axis_terms(y, box, sigma, ey, dey, d2ey)
            g[:] = 0.0
            h[:, :] = 0.0
            if anticipate:
                f[:, :] = 0.0
            ll = 0.0
            for j in range(box):
                for i in range(box):
                    n = d[j * box + i]
                    dmn = ex[i] * ey[j]
                    dmx = n_ph * dex[i] * ey[j]
                    dmy = n_ph * ex[i] * dey[j]
                    mu = n_ph * dmn + bg
                    r = 1.0 / mu
                    w = n * r - 1.0
                    v = n * r * r
                    g[0] += w * dmx; g[1] += w * dmy; g[2] += w * dmn; g[3] += w
                    h[0, 0] += w * n_ph * d2ex[i] * ey[j] - v * dmx * dmx
                    h[0, 1] += w * n_ph * dex[i] * dey[j] - v * dmx * dmy
                    h[0, 2] += w * dex[i] * ey[j] - v * dmx * dmn
                    h[0, 3] -= v * dmx
                    h[1, 1] += w * n_ph * ex[i] * d2ey[j] - v * dmy * dmy
                    h[1, 2] += w * ex[i] * dey[j] - v * dmy * dmn
                    h[1, 3] -= v * dmy
                    h[2, 2] -= v * dmn * dmn
                    h[2, 3] -= v * dmn
                    h[3, 3] -= v
                    if anticipate:
                        f[0, 0] += r * dmx * dmx; f[0, 1] += r * dmx * dmy; f[0, 2] += r * dmx * dmn; f[0, 3] += r * dmx
                        f[1, 1] += r * dmy * dmy; f[1, 2] += r * dmy * dmn; f[1, 3] += r * dmy
                        f[2, 2] += r * dmn * dmn; f[2, 3] += r * dmn; f[3, 3] += r
                        ll += (0.0 if n == 0 else n * math.log(mu)) - mu
            for a in range(4):
                for b in range(a):
                    h[a, b] = h[b, a]
            if not solve_newton(h, g, step, system, lower, c):
                break
            dx, dy, dn, db = step[0], step[1], step[2], step[3]
            if not (math.isfinite(dx) and math.isfinite(dy) and math.isfinite(dn) and math.isfinite(db)):
                break
            fs = 1.0
            if abs(dx) * fs > max_step: fs = max_step / abs(dx)
            if abs(dy) * fs > max_step: fs = max_step / abs(dy)
            if -dn * fs > max_shrink * n_ph: fs = (max_shrink * n_ph) / -dn
            if -db * fs > max_shrink * bg: fs = (max_shrink * bg) / -db
            if fs < 1:
                dx *= fs; dy *= fs; dn *= fs; db *= fs
            theta[0] = x + dx
            theta[1] = y + dy
            theta[2] = max(n_ph + dn, min_photons)
            theta[3] = max(bg + db, min_background)
            if theta[0] < -leave_px or theta[0] > box + leave_px or theta[1] < -leave_px or theta[1] > box + leave_px:
                status = 2.0
                break
            change = max(max(abs(dx), abs(dy)), max(abs(theta[2] - n_ph) / n_ph, abs(theta[3] - bg) / (bg if bg > 1 else 1.0)))
            last_change = change
            if change < tolerance:
                status = 0.0
                if anticipate:
                    ll_end = ll + 0.5 * (g[0] * dx + g[1] * dy + g[2] * dn + g[3] * db)
                    ready = True
                break
        if not ready:
            # The final pass at theta: the Fisher information and the log-likelihood.
            x, y, n_ph, bg = theta[0], theta[1], theta[2], theta[3]
            axis_terms(x, box, sigma, ex, dex, d2ex)
            axis_terms(y, box, sigma, ey, dey, d2ey)
            f[:, :] = 0.0
            ll_end = 0.0
            for j in range(box):
                for i in range(box):
                    n = d[j * box + i]
                    dmn = ex[i] * ey[j]
                    dmx = n_ph * dex[i] * ey[j]
                    dmy = n_ph * ex[i] * dey[j]
                    mu = n_ph * dmn + bg
                    r = 1.0 / mu
                    f[0, 0] += r * dmx * dmx; f[0, 1] += r * dmx * dmy; f[0, 2] += r * dmx * dmn; f[0, 3] += r * dmx
                    f[1, 1] += r * dmy * dmy; f[1, 2] += r * dmy * dmn; f[1, 3] += r * dmy
                    f[2, 2] += r * dmn * dmn; f[2, 3] += r * dmn; f[3, 3] += r
                    ll_end += (0.0 if n == 0 else n * math.log(mu)) - mu
        for a in range(4):
            for b in range(a):
                f[a, b] = f[b, a]
        # CRLB: the diagonal of the inverse Fisher information.
        if cholesky_factor(f, 4, lower):
            for i in range(4):
                total = 0.0
                for r in range(i, 4):
                    s = 1.0 if r == i else 0.0
                    for k in range(i, r):
                        s -= lower[r, k] * z[k]
                    v = s / lower[r, r]
                    z[r] = v
                    total += v * v
                o[4 + i] = math.sqrt(total)
        else:
            o[4:8] = np.nan
            if status == 0.0:
                status = 4.0
        o[0] = theta[0]; o[1] = theta[1]; o[2] = theta[2]; o[3] = theta[3]
        o[8] = ll_end
        o[9] = iteration
        o[10] = status


def main():
    patches_path, out_path, config_json = sys.argv[1], sys.argv[2], sys.argv[3]
    config = json.loads(config_json)
    box = int(config["box"])
    data = np.fromfile(patches_path, dtype="<f8")
    count = data.size // (box * box)
    k = config["constants"]
    c = np.array([
        k["MIN_PHOTONS"], k["MIN_BACKGROUND"], k["MAX_SHRINK"], k["DAMPING_START"], k["DAMPING_GROWTH"],
        k["DAMPING_LIMIT"], k["DAMPING_DIAGONAL_FLOOR"], k["LEAVE_PATCH_PX"], k["ANTICIPATE_END"],
        k["MIN_BACKGROUND_GUESS"],
    ], dtype=np.float64)
    args = (data, count, box, float(config["sigmaPx"]), int(config["maxIterations"]), float(config["tolerance"]),
            float(config["maxStepPx"]), c)
    out = np.empty((count, OUT_COLUMNS))
    fit_all(*args, out)  # compiles, then fits once
    out.astype("<f8").tofile(out_path)
    print(json.dumps({"ready": True, "count": count, "checksum": float(np.nansum(out[:, :4]))}), flush=True)
    for line in sys.stdin:
        words = line.split()
        if not words or words[0] == "quit":
            break
        seconds = float(words[1])
        fits = 0
        start = time.process_time()
        while True:
            fit_all(*args, out)
            fits += count
            spent = time.process_time() - start
            if spent >= seconds:
                break
        print(json.dumps({"fits": fits, "cpuSeconds": spent}), flush=True)


if __name__ == "__main__":
    main()
