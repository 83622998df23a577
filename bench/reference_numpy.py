#!/usr/bin/env python3
"""The numpy side of `npm run bench`: the same RNN, LSTM and GRU math as handgrad,
written the way the cs231n assignment writes it (one step function, a Python
loop over t, weight gradients summed step by step), timed in the same run.

Gate orders (LSTM f | i | g | o, GRU r | z | n) and shapes match handgrad:
    RNN:  h_t = tanh(x_t Wx + h_{t-1} Wh + b)          Wx: DxH, Wh: HxH, b: H
    LSTM: A = x_t Wx + h_{t-1} Wh + b (N x 4H)         Wx: Dx4H, Wh: Hx4H, b: 4H
          c_t = f*c_{t-1} + i*g,  h_t = o*tanh(c_t)
    GRU:  X = x_t Wx + bx,  Y = h_{t-1} Wh + bh        Wx: Dx3H, Wh: Hx3H, bx, bh: 3H
          (PyTorch's formulation: two biases, bh's n block inside the reset product)
          r = sigmoid(X_r + Y_r),  z = sigmoid(X_z + Y_z),  n = tanh(X_n + r*Y_n)
          h_t = (1-z)*n + z*h_{t-1}

Usage (bench/run.mjs calls it; it prints one JSON object on stdout):
    python3 bench/reference_numpy.py --check
    python3 bench/reference_numpy.py --plan '[{"cell":"lstm","mode":"sequence","N":10,"T":20,"D":32,"H":64,"repeats":5}]'
    python3 bench/reference_numpy.py --serve     (JSON lines: a request per line on stdin, a reply per line)
"""
import argparse
import ctypes
import glob
import json
import os
import sys
import time

import numpy as np


def sigmoid(x):
    # The stable form (no exp of a large positive number), with one exp per
    # value: 1/(1+e) for x >= 0, e/(1+e) below, e = exp(-|x|). The same bits
    # as writing out both branches, at about half their time.
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0, e) / (1 + e)


def rnn_step_forward(x, h_prev, Wx, Wh, b):
    h = np.tanh(x @ Wx + h_prev @ Wh + b)
    return h, (x, h_prev, Wx, Wh, h)


def rnn_step_backward(dh, cache):
    x, h_prev, Wx, Wh, h = cache
    du = dh * (1 - h * h)
    return du @ Wx.T, du @ Wh.T, x.T @ du, h_prev.T @ du, du.sum(axis=0)


def rnn_forward(x, h0, Wx, Wh, b):
    N, T, _ = x.shape
    h = np.empty((N, T, h0.shape[1]))
    caches = []
    prev = h0
    for t in range(T):
        prev, cache = rnn_step_forward(x[:, t, :], prev, Wx, Wh, b)
        h[:, t, :] = prev
        caches.append(cache)
    return h, caches


def rnn_backward(dh, caches):
    N, T, H = dh.shape
    D = caches[0][0].shape[1]
    dx = np.empty((N, T, D))
    dWx = np.zeros((D, H))
    dWh = np.zeros((H, H))
    db = np.zeros(H)
    carried = np.zeros((N, H))
    for t in reversed(range(T)):
        dx[:, t, :], carried, dWx_t, dWh_t, db_t = rnn_step_backward(dh[:, t, :] + carried, caches[t])
        dWx += dWx_t
        dWh += dWh_t
        db += db_t
    return dx, carried, dWx, dWh, db


def lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b):
    H = h_prev.shape[1]
    a = x @ Wx + h_prev @ Wh + b
    f = sigmoid(a[:, :H])
    i = sigmoid(a[:, H:2 * H])
    g = np.tanh(a[:, 2 * H:3 * H])
    o = sigmoid(a[:, 3 * H:])
    c = f * c_prev + i * g
    tc = np.tanh(c)
    h = o * tc
    return h, c, (x, h_prev, c_prev, Wx, Wh, f, i, g, o, tc)


def lstm_step_backward(dh, dc_next, cache):
    x, h_prev, c_prev, Wx, Wh, f, i, g, o, tc = cache
    dc = dc_next + dh * o * (1 - tc * tc)
    da = np.concatenate(
        [dc * c_prev * f * (1 - f), dc * g * i * (1 - i), dc * i * (1 - g * g), dh * tc * o * (1 - o)], axis=1
    )
    return da @ Wx.T, da @ Wh.T, dc * f, x.T @ da, h_prev.T @ da, da.sum(axis=0)


def lstm_forward(x, h0, Wx, Wh, b):
    N, T, _ = x.shape
    H = h0.shape[1]
    h = np.empty((N, T, H))
    caches = []
    prev = h0
    c = np.zeros((N, H))
    for t in range(T):
        prev, c, cache = lstm_step_forward(x[:, t, :], prev, c, Wx, Wh, b)
        h[:, t, :] = prev
        caches.append(cache)
    return h, caches


def lstm_backward(dh, caches):
    N, T, H = dh.shape
    D = caches[0][0].shape[1]
    dx = np.empty((N, T, D))
    dWx = np.zeros((D, 4 * H))
    dWh = np.zeros((H, 4 * H))
    db = np.zeros(4 * H)
    carried = np.zeros((N, H))
    dc = np.zeros((N, H))
    for t in reversed(range(T)):
        dx[:, t, :], carried, dc, dWx_t, dWh_t, db_t = lstm_step_backward(dh[:, t, :] + carried, dc, caches[t])
        dWx += dWx_t
        dWh += dWh_t
        db += db_t
    return dx, carried, dWx, dWh, db


def gru_step_forward(x, h_prev, Wx, Wh, bx, bh):
    H = h_prev.shape[1]
    a = x @ Wx + bx
    y = h_prev @ Wh + bh
    r = sigmoid(a[:, :H] + y[:, :H])
    z = sigmoid(a[:, H:2 * H] + y[:, H:2 * H])
    hn = y[:, 2 * H:]
    n = np.tanh(a[:, 2 * H:] + r * hn)
    h = (1 - z) * n + z * h_prev
    return h, (x, h_prev, Wx, Wh, r, z, n, hn)


def gru_step_backward(dh, cache):
    x, h_prev, Wx, Wh, r, z, n, hn = cache
    dan = dh * (1 - z) * (1 - n * n)
    dar = dan * hn * r * (1 - r)
    daz = dh * (h_prev - n) * z * (1 - z)
    dax = np.concatenate([dar, daz, dan], axis=1)  # input side
    day = np.concatenate([dar, daz, dan * r], axis=1)  # hidden side: the n block went through the reset gate
    return dax @ Wx.T, dh * z + day @ Wh.T, x.T @ dax, h_prev.T @ day, dax.sum(axis=0), day.sum(axis=0)


def gru_forward(x, h0, Wx, Wh, bx, bh):
    N, T, _ = x.shape
    h = np.empty((N, T, h0.shape[1]))
    caches = []
    prev = h0
    for t in range(T):
        prev, cache = gru_step_forward(x[:, t, :], prev, Wx, Wh, bx, bh)
        h[:, t, :] = prev
        caches.append(cache)
    return h, caches


def gru_backward(dh, caches):
    N, T, H = dh.shape
    D = caches[0][0].shape[1]
    dx = np.empty((N, T, D))
    dWx = np.zeros((D, 3 * H))
    dWh = np.zeros((H, 3 * H))
    dbx = np.zeros(3 * H)
    dbh = np.zeros(3 * H)
    carried = np.zeros((N, H))
    for t in reversed(range(T)):
        dx[:, t, :], carried, dWx_t, dWh_t, dbx_t, dbh_t = gru_step_backward(dh[:, t, :] + carried, caches[t])
        dWx += dWx_t
        dWh += dWh_t
        dbx += dbx_t
        dbh += dbh_t
    return dx, carried, dWx, dWh, dbx, dbh


GATES = {"rnn": 1, "lstm": 4, "gru": 3}


def problem(cell, N, T, D, H, seed=0):
    rng = np.random.default_rng(seed)
    G = GATES[cell] * H
    p = dict(
        x=rng.standard_normal((N, T, D)) * 0.5,
        h0=rng.standard_normal((N, H)) * 0.5,
        Wx=rng.standard_normal((D, G)) / np.sqrt(D),
        Wh=rng.standard_normal((H, G)) / np.sqrt(H),
        b=rng.standard_normal(G) * 0.1,
        dh=rng.standard_normal((N, T, H)),
    )
    if cell == "gru":
        # Two biases, separate arrays so that the check perturbs one at a time
        # (bench/run.mjs passes one b as both bx and bh: the same shapes, the same work).
        p["bx"] = p.pop("b")
        p["bh"] = rng.standard_normal(G) * 0.1
    return p


PARAMS = {"rnn": ("x", "h0", "Wx", "Wh", "b"), "lstm": ("x", "h0", "Wx", "Wh", "b"), "gru": ("x", "h0", "Wx", "Wh", "bx", "bh")}
FORWARD = {"rnn": rnn_forward, "lstm": lstm_forward, "gru": gru_forward}
BACKWARD = {"rnn": rnn_backward, "lstm": lstm_backward, "gru": gru_backward}


def run_once(cell, mode, p):
    """Forward then backward; `step` uses time step 0 only (T = 1). Returns the
    gradients in the order of PARAMS[cell]."""
    x, h0, dh = p["x"], p["h0"], p["dh"]
    if mode == "step":
        x, dh = x[:, :1, :], dh[:, :1, :]
    _, caches = FORWARD[cell](x, h0, *(p[k] for k in PARAMS[cell][2:]))
    return BACKWARD[cell](dh, caches)


def gradient_check():
    """Centered differences of L = sum(h * dh) against the backward, for x, h0, Wx, Wh
    and the bias(es): b (RNN, LSTM) or bx, bh (GRU)."""
    worst = {}
    for cell in ("rnn", "lstm", "gru"):
        p = problem(cell, 2, 3, 4, 5, seed=7)
        names = PARAMS[cell]
        analytic = dict(zip(names, run_once(cell, "sequence", p)))

        def loss():
            return float(np.sum(FORWARD[cell](*(p[k] for k in names))[0] * p["dh"]))

        errs = []
        for name, grad in analytic.items():
            v = p[name]
            num = np.zeros_like(v)
            it = np.nditer(v, flags=["multi_index"])
            for _ in it:
                k = it.multi_index
                old = v[k]
                v[k] = old + 1e-6
                plus = loss()
                v[k] = old - 1e-6
                minus = loss()
                v[k] = old
                num[k] = (plus - minus) / 2e-6
            errs.append(float(np.linalg.norm(grad - num) / (np.linalg.norm(grad) + np.linalg.norm(num))))
        worst[cell] = max(errs)
    return worst


def blas_info():
    info = {"numpy": np.__version__}
    try:
        cfg = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        info["blas"] = cfg.get("name")
        info["blas_config"] = cfg.get("openblas configuration")
    except Exception as e:  # numpy < 2 or an unusual build
        info["blas"] = f"unknown ({e})"
    libs = glob.glob(os.path.join(os.path.dirname(np.__file__), "..", "numpy.libs", "*openblas*"))
    for path in libs:
        try:
            lib = ctypes.CDLL(path)
            for prefix in ("scipy_openblas", "openblas"):
                for suffix in ("64_", ""):
                    core = getattr(lib, f"{prefix}_get_corename{suffix}", None)
                    threads = getattr(lib, f"{prefix}_get_num_threads{suffix}", None)
                    if core is not None and threads is not None:
                        core.restype = ctypes.c_char_p
                        info["openblas_core"] = core().decode()
                        info["openblas_threads"] = threads()
                        raise StopIteration
        except StopIteration:
            break
        except OSError:
            continue
    info["env"] = {k: os.environ.get(k) for k in ("OPENBLAS_NUM_THREADS", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    return info


def compute(item):
    """The forward's h and every gradient of one sequence problem given by the caller as flat row-major lists
    (x, h0, Wx, Wh, dh, and b or bx, bh), so that bench/run.mjs can check that this file computes the same
    math as handgrad before timing both."""
    N, T, D, H = item["N"], item["T"], item["D"], item["H"]
    G = GATES[item["cell"]] * H
    shapes = {"x": (N, T, D), "h0": (N, H), "Wx": (D, G), "Wh": (H, G), "b": (G,), "bx": (G,), "bh": (G,), "dh": (N, T, H)}
    p = {k: np.array(item[k], dtype=np.float64).reshape(shapes[k]) for k in shapes if k in item}
    names = PARAMS[item["cell"]]
    h, caches = FORWARD[item["cell"]](*(p[k] for k in names))
    grads = BACKWARD[item["cell"]](p["dh"], caches)
    out = {"h": h.ravel().tolist()}
    for name, g in zip(names, grads):
        out[f"d{name}"] = g.ravel().tolist()
    return out


def calibrate(cell, mode, p, warm_ms=0):
    """As bench/run.mjs: runs the problem for warm_ms first, then returns the
    calls per sample so that a sample lasts >= 20 ms."""
    start = time.perf_counter()
    run_once(cell, mode, p)
    while (time.perf_counter() - start) * 1e3 < warm_ms:
        run_once(cell, mode, p)
    inner = 1
    while True:
        start = time.perf_counter()
        for _ in range(inner):
            run_once(cell, mode, p)
        ms = (time.perf_counter() - start) * 1e3
        if ms >= 20 or inner >= 1 << 16:
            return inner
        inner *= min(16, max(2, int(np.ceil(20 / max(ms, 0.01)))))


def sample(cell, mode, p, inner):
    """Wall clock and CPU time (process_time) per call over one sample, ms."""
    c0 = time.process_time()
    start = time.perf_counter()
    for _ in range(inner):
        run_once(cell, mode, p)
    return (time.perf_counter() - start) * 1e3 / inner, (time.process_time() - c0) * 1e3 / inner


def serve():
    """One JSON request per line on stdin, one JSON reply per line on stdout:
    {"prepare": {cell, mode, N, T, D, H, warm_ms}} builds that problem, runs
    it for warm_ms and calibrates it, {"sample": true} times one sample of it. bench/run.mjs alternates
    these samples with its own, so both sides of a ratio see the same moment
    of a machine whose speed drifts. {"info": true} answers the numpy and BLAS
    details of this process (its thread count is fixed when OpenBLAS loads),
    {"compute": ...} the outputs of one problem (see compute)."""
    current = None
    for line in sys.stdin:
        req = json.loads(line)
        if "info" in req:
            reply = blas_info()
        elif "compute" in req:
            reply = compute(req["compute"])
        elif "prepare" in req:
            item = req["prepare"]
            p = problem(item["cell"], item["N"], item["T"], item["D"], item["H"])
            current = {"cell": item["cell"], "mode": item["mode"], "p": p}
            current["inner"] = calibrate(current["cell"], current["mode"], p, item.get("warm_ms", 0))
            reply = {"inner": current["inner"]}
        elif current is None:
            sys.exit("reference_numpy.py --serve: a sample was asked for before any prepare")
        else:
            wall, cpu = sample(current["cell"], current["mode"], current["p"], current["inner"])
            reply = {"ms": wall, "cpu_ms": cpu}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--check", action="store_true", help="finite-difference check of the numpy gradients")
    ap.add_argument("--plan", help="JSON list of {cell, mode, N, T, D, H, repeats}")
    ap.add_argument("--serve", action="store_true", help="time samples on request (JSON lines on stdin), for bench/run.mjs")
    args = ap.parse_args()
    if args.serve:
        serve()
        return
    out = {"info": blas_info()}
    if args.check:
        out["gradcheck"] = gradient_check()
    rows = []
    for item in json.loads(args.plan) if args.plan else []:
        p = problem(item["cell"], item["N"], item["T"], item["D"], item["H"])
        inner = calibrate(item["cell"], item["mode"], p, item.get("warm_ms", 0))
        wall, cpu = [], []
        for _ in range(item["repeats"]):
            w, c = sample(item["cell"], item["mode"], p, inner)
            wall.append(w)
            cpu.append(c)
        wall.sort()
        cpu.sort()
        rows.append({**item, "ms": wall[len(wall) // 2], "cpu_ms": cpu[len(cpu) // 2], "inner": inner})
    out["rows"] = rows
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
