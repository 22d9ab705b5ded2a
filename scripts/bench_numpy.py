"""numpy reference for scripts/bench-math.sh: the same GEMM (128x784 . 784x256, float64) and the
same 784-256-128-10 ReLU + softmax-CE forward+backward on 128 rows, reported in GFLOP/s (median of
repeats). Run with OPENBLAS_NUM_THREADS=1 for a like-for-like single-thread comparison."""
import sys
import time

import numpy as np


def median_rate(fn, seconds=1.0, repeats=5):
    fn()
    rates = []
    for _ in range(repeats):
        n, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds:
            fn()
            n += 1
        rates.append(n / (time.perf_counter() - start))
    return float(np.median(rates))


def main():
    rng = np.random.default_rng(1)
    a = np.asfortranarray(rng.standard_normal((128, 784)))
    b = np.asfortranarray(rng.standard_normal((784, 256)))
    c = np.empty((128, 256), order="F")
    gemm_flops = 2.0 * 128 * 784 * 256

    sizes = [784, 256, 128, 10]
    ws = [rng.standard_normal((i, o)) * np.sqrt(2.0 / i) for i, o in zip(sizes, sizes[1:])]
    bs = [np.zeros(o) for o in sizes[1:]]
    gw = [np.zeros_like(w) for w in ws]
    gb = [np.zeros_like(bb) for bb in bs]
    x = rng.uniform(0, 1, (128, 784))
    y = rng.integers(0, 10, 128)
    net_flops = sum((2 if l == 0 else 3) * 2.0 * 128 * i * o
                    for l, (i, o) in enumerate(zip(sizes, sizes[1:])))

    def step():
        acts = [x]
        for l, (w, bb) in enumerate(zip(ws, bs)):
            z = acts[-1] @ w + bb
            acts.append(np.maximum(z, 0) if l < len(ws) - 1 else z)
        z = acts[-1]
        p = np.exp(z - z.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        d = p
        d[np.arange(128), y] -= 1
        for l in range(len(ws) - 1, -1, -1):
            gw[l] += acts[l].T @ d
            gb[l] += d.sum(axis=0)
            if l > 0:
                d = (d @ ws[l].T) * (acts[l] > 0)

    gemm_rate = median_rate(lambda: np.matmul(a, b, out=c))
    step_rate = median_rate(step)
    print(f"numpy {np.__version__} (python {sys.version.split()[0]})")
    print(f"{'numpy gemm128x784x256':32s} {gemm_rate:10.1f} ops/s {gemm_rate * gemm_flops / 1e9:8.2f} GFLOP/s")
    print(f"{'numpy forwardBackward784..10':32s} {step_rate:10.1f} ops/s {step_rate * net_flops / 1e9:8.2f} GFLOP/s")


if __name__ == "__main__":
    main()
