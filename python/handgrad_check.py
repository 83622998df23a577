"""Runs the functions of a numpy homework module for `handgrad check --impl file.py`.

The checker (Node) starts this script once per check and then calls the
module's functions through it, one JSON object per line on stdin, one answer
per line on stdout; the finite differences and every comparison are done on
the Node side. Arrays travel as base64 of their little-endian float64 (or
int64) bytes, so every value, NaN and infinities included, arrives exactly.
Whatever the module prints goes to stderr, never into the answers.

Requests:  {"op": "load", "path": p, "names": [...]}
           {"op": "call", "fn": name, "args": [...], "returns": [...], "refs": [...]}
           {"op": "fd", "fn": name, "args": [...], "perturb": i, "indices": [...], "eps": h,
            "returns": [...], "upstream": {output: array}}  (the finite differences, in one round trip)
Answers:   {"ok": true, ...} or {"ok": false, "error": {"type", "message", "location"}}
"""
import base64
import importlib.util
import json
import os
import sys
import threading
import time
import traceback

# The module keeps a few of the objects its forwards return as caches: a
# backward is called right after its forward, while the forwards of the
# finite differences discard theirs.
KEPT_REFS = 32


def _watch_parent(parent):
    # When the checker is killed at its time limit while the module loops
    # forever, stdin's end is never read: this thread still notices that the
    # parent is gone and ends the process.
    while True:
        time.sleep(0.2)
        if os.getppid() != parent:
            os._exit(3)


class Bridge:
    def __init__(self, out):
        self.out = out
        self.module = None
        self.path = None
        self.refs = {}
        self.next_ref = 0
        self.np = None

    def send(self, obj):
        self.out.write(json.dumps(obj, allow_nan=False))
        self.out.write("\n")
        self.out.flush()

    # -- values ---------------------------------------------------------

    def decode(self, v):
        np = self.np
        if isinstance(v, dict):
            if "f8" in v:
                a = np.frombuffer(base64.b64decode(v["f8"]), dtype="<f8")
                return a.reshape(v["shape"]).copy()
            if "i8" in v:
                a = np.frombuffer(base64.b64decode(v["i8"]), dtype="<i8")
                a = a.reshape(v["shape"])
                return a.astype(bool) if v.get("bool") else a.astype(np.int64)
            if "ref" in v:
                if v["ref"] not in self.refs:
                    raise KeyError("cache %d is no longer kept" % v["ref"])
                return self.refs[v["ref"]]
        return v

    def encode(self, v, name):
        np = self.np
        if v is None:
            return None
        if isinstance(v, bool):
            return {"bad": "a bool (%r)" % v}
        try:
            a = np.asarray(v, dtype=np.float64)
        except (TypeError, ValueError):
            return {"bad": describe(v)}
        if a.ndim == 0:
            x = float(a)
            return x if np.isfinite(x) else {"f8": b64(np.array([x])), "shape": []}
        return {"f8": b64(a), "shape": list(a.shape)}

    def keep(self, v):
        ref = self.next_ref
        self.next_ref += 1
        self.refs[ref] = v
        if len(self.refs) > KEPT_REFS:
            del self.refs[min(self.refs)]
        return {"ref": ref}

    # -- requests -------------------------------------------------------

    def load(self, req):
        path = req["path"]
        folder = os.path.dirname(os.path.abspath(path))
        # The module's own folder first, as `python file.py` would have it,
        # so its sibling imports resolve.
        sys.path.insert(0, folder)
        name = os.path.splitext(os.path.basename(path))[0]
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        self.path = os.path.abspath(path)
        spec.loader.exec_module(module)
        self.module = module
        defined = [n for n in req["names"] if callable(getattr(module, n, None))]
        return {"ok": True, "defined": defined}

    def call(self, req):
        fn = getattr(self.module, req["fn"])
        args = [self.decode(a) for a in req["args"]]
        result = fn(*args)
        returns = req["returns"]
        if len(returns) == 1:
            values = [result]
        elif isinstance(result, (tuple, list)):
            values = list(result)
        else:
            detail = "returned %s, not the tuple (%s)" % (describe(result), ", ".join(returns))
            return {"ok": True, "shape_error": detail}
        if len(values) != len(returns):
            return {"ok": True, "shape_error": "returned a %d-tuple, not the %d-tuple (%s)"
                    % (len(values), len(returns), ", ".join(returns))}
        out = {}
        for name, v in zip(returns, values):
            out[name] = self.keep(v) if name in req["refs"] else self.encode(v, name)
        return {"ok": True, "result": out}

    def fd(self, req):
        """Centered differences of L = sum over outputs of out * dout, at each index of one argument."""
        np = self.np
        fn = getattr(self.module, req["fn"])
        args = [self.decode(a) for a in req["args"]]
        x = args[req["perturb"]].reshape(-1)  # a view: perturbing it perturbs the argument
        returns = req["returns"]
        upstream = {k: self.decode(v).reshape(-1) for k, v in req["upstream"].items()}

        def loss():
            # Fresh copies, as for every call: a module that edits its inputs in place changes nothing here.
            result = fn(*[a.copy() if isinstance(a, np.ndarray) else a for a in args])
            values = dict(zip(returns, [result] if len(returns) == 1 else result))
            flat = {k: np.asarray(v, dtype=np.float64).reshape(-1) for k, v in values.items() if k in upstream}
            return sum(float(np.dot(flat[k], u)) for k, u in upstream.items())

        eps = req["eps"]
        out = np.empty(len(req["indices"]))
        for i, k in enumerate(req["indices"]):
            old = x[k]
            x[k] = old + eps
            plus = loss()
            x[k] = old - eps
            minus = loss()
            x[k] = old
            out[i] = (plus - minus) / (2 * eps)
        return {"ok": True, "values": b64(out)}

    def error(self, exc):
        return {"ok": False, "error": {
            "type": type(exc).__name__,
            "message": exit_message(exc) if isinstance(exc, SystemExit) else str(exc).split("\n")[0],
            "location": self.locate(exc),
        }}

    def locate(self, exc):
        """The user's line: the deepest frame in the module's folder, else the deepest outside this file."""
        if isinstance(exc, SyntaxError) and exc.filename and exc.lineno:
            return location(exc.filename, exc.lineno, exc.offset or 1)
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if os.path.abspath(f.filename) != HERE]
        folder = os.path.dirname(self.path or "") + os.sep
        own = [f for f in frames if os.path.abspath(f.filename).startswith(folder)]
        pick = (own or frames or [None])[-1]
        if pick is None:
            return None
        col = getattr(pick, "colno", None)
        return location(pick.filename, pick.lineno or 0, (col or 0) + 1)


HERE = os.path.abspath(__file__)


def location(filename, line, column):
    path = os.path.abspath(filename)
    rel = os.path.relpath(path, os.getcwd())
    return {"file": path if rel.startswith("..") else rel, "line": int(line), "column": int(column)}


def exit_message(exc):
    code = "" if exc.code is None else repr(exc.code)
    return "sys.exit(%s) was called; a module under check must not end the process" % code


def describe(v):
    return "%s (%s)" % (type(v).__name__, repr(v)[:60])


def b64(a):
    return base64.b64encode(a.astype("<f8", copy=False).tobytes()).decode("ascii")


def main():
    # No __pycache__ folders left beside the homework by a check.
    sys.dont_write_bytecode = True
    # Answers go to a private copy of stdout; fd 1 itself becomes stderr,
    # so print() and C-level writes of the module land there.
    out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    # Requests come on a private copy of stdin; the module's own stdin is
    # empty, so an input() in it cannot swallow a request.
    requests = os.fdopen(os.dup(0), "r", encoding="utf-8")
    empty = os.open(os.devnull, os.O_RDONLY)
    os.dup2(empty, 0)
    sys.stdin = open(os.devnull, "r")
    threading.Thread(target=_watch_parent, args=(os.getppid(),), daemon=True).start()
    bridge = Bridge(out)
    version = "%d.%d.%d" % sys.version_info[:3]
    try:
        import numpy
        bridge.np = numpy
        bridge.send({"ok": True, "python": version, "executable": sys.executable, "numpy": numpy.__version__})
    except Exception as exc:  # ImportError, or a broken installation
        bridge.send({"ok": True, "python": version, "executable": sys.executable, "numpy": None,
                     "why": "%s: %s" % (type(exc).__name__, exc)})
        return
    for line in requests:
        req = json.loads(line)
        try:
            answer = getattr(bridge, req["op"])(req)
        except BaseException as exc:  # SystemExit and KeyboardInterrupt too: the module must not end us
            answer = bridge.error(exc)
        bridge.send(answer)


if __name__ == "__main__":
    main()
