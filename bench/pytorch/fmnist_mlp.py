#!/usr/bin/env python3
"""PyTorch CPU reference for issue #8: the quickstart recipe of conf/fashion-mnist-mlp.conf, so that descent's
epoch time and test accuracy can be set against a plain single-process PyTorch loop on the same machine.

Recipe (identical to conf/fashion-mnist-mlp.conf):
  inputs      pixels / 255 (in [0, 1], no other scaling), the 60k train / 10k test IDX files
  model       784-256-128-10, ReLU, He-normal init (weights N(0, 2/fan_in), biases 0)
  loss        softmax cross-entropy, averaged over the batch
  optimizer   SGD, momentum 0.9, lr 0.05 constant, no weight decay, no Nesterov, no dampening:
                v = 0.9 v + g;  p -= lr v      (torch.optim.SGD; v starts at g on the first step)
              descent's 'momentum' optimizer (common-math MomentumSgd) is the same heavy-ball form:
                v_{t+1} = mu v_t + g_t (v_0 = 0);  w_{t+1} = w_t - lr v_{t+1}  -- identical updates.
  batches     reshuffled every epoch (torch.Generator with a fixed seed); S = ceil(N / 128) = 469 steps per
              epoch, step s taking rows [floor(s N / S), floor((s+1) N / S)) of the epoch's order, i.e. 127 or
              128 rows and no short last step, as descent splits an epoch (README "How training works").
  precision   --dtype float64 (default) or float32: everything (data, weights, momentum) in that dtype. descent's
              training.precision=float32 runs only forward/backward GEMMs in float32 and keeps weights and
              optimizer state in float64; torch float32 is at least as cheap, so it is a fair speed baseline.

Timing: data loading and conversion are outside the timed region. Each epoch's training steps (gather of the
batch rows, forward, backward, optimizer step) are timed, and separately the evaluation on the 10k test set.
The last line is machine-readable (scripts/bench-fmnist.sh parses it):
  BENCH torch dtype=float64 threads=1 epochs=10 median_epoch_s=1.148 test_acc=0.8813 median_eval_s=0.050 first_step_s=2.1
median_epoch_s = median training-steps time over epochs 2..N if N >= 3, else over all epochs;
test_acc = accuracy on the 10k test set after the last epoch; first_step_s = process start (imports, data load
included) to the end of the first training step.

Threads: --threads sets torch.set_num_threads (default: all cores; Debian's torch 1.13 otherwise starts with
1 thread here). Debian's torch does its GEMMs through the system libblas.so.3 (OpenBLAS when libopenblas0 is
installed, else the slow reference BLAS), so OPENBLAS_NUM_THREADS matters too: see bench/pytorch/README.md.
"""
import argparse
import gzip
import math
import os
import re
import statistics
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

DEFAULT_DIR = "/usr/share/datasets/fashion-mnist"


def read_idx(path, magic, ndim):
    """One IDX .gz file as a uint8 numpy array (big-endian header: magic, then one int32 per dimension)."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    head = np.frombuffer(data, dtype=">i4", count=1 + ndim)
    if head[0] != magic:
        raise ValueError(f"{path}: magic {head[0]:#x}, expected {magic:#x}")
    shape = tuple(int(d) for d in head[1:])
    arr = np.frombuffer(data, dtype=np.uint8, offset=4 * (1 + ndim))
    if arr.size != math.prod(shape):
        raise ValueError(f"{path}: {arr.size} bytes of data, header says {shape}")
    return arr.reshape(shape)


def load(directory, dtype):
    def part(prefix):
        images = read_idx(os.path.join(directory, f"{prefix}-images-idx3-ubyte.gz"), 0x803, 3)
        labels = read_idx(os.path.join(directory, f"{prefix}-labels-idx1-ubyte.gz"), 0x801, 1)
        if len(images) != len(labels):
            raise ValueError(f"{prefix}: {len(images)} images but {len(labels)} labels")
        # pixels / 255 computed in float64, then cast (as descent's float64 features become float32 operands)
        x = torch.from_numpy(images.reshape(len(images), -1).astype(np.float64) / 255.0).to(dtype).contiguous()
        y = torch.from_numpy(labels.astype(np.int64))
        return x, y

    return part("train") + part("t10k")


class Mlp(torch.nn.Module):
    def __init__(self, sizes, dtype, generator):
        super().__init__()
        self.layers = torch.nn.ModuleList()
        for fan_in, fan_out in zip(sizes, sizes[1:]):
            layer = torch.nn.Linear(fan_in, fan_out, dtype=dtype)
            with torch.no_grad():  # He-normal: N(0, 2 / fan_in); biases 0
                layer.weight.normal_(0.0, math.sqrt(2.0 / fan_in), generator=generator)
                layer.bias.zero_()
            self.layers.append(layer)

    def forward(self, x):
        for layer in self.layers[:-1]:
            x = F.relu(layer(x))
        return self.layers[-1](x)  # logits; softmax is inside the cross-entropy


def loaded_blas():
    """The BLAS/LAPACK shared objects this process has mapped (Debian: libblas.so.3 -> OpenBLAS or reference)."""
    try:
        with open("/proc/self/maps") as f:
            paths = {line.split()[-1] for line in f if "blas" in line or "lapack" in line}
        return sorted(os.path.realpath(p) for p in paths if p.startswith("/"))
    except OSError:
        return []


def openblas_info(paths):
    """(core name, threads) from OpenBLAS itself, or (None, None) when no OpenBLAS is loaded. 'Prescott' is its
    slowest generic x86-64 kernel set, what Debian's OpenBLAS 0.3.21 falls back to on CPUs newer than it knows;
    OPENBLAS_CORETYPE overrides the choice."""
    import ctypes
    for path in paths:
        if "openblas" in os.path.basename(path):
            try:
                lib = ctypes.CDLL(path)
                lib.openblas_get_corename.restype = ctypes.c_char_p
                return lib.openblas_get_corename().decode(), lib.openblas_get_num_threads()
            except (OSError, AttributeError):
                return "unknown", None
    return None, None


def evaluate(model, x, y, batch=1000):
    correct = 0
    with torch.no_grad():
        for i in range(0, len(x), batch):
            correct += (model(x[i:i + batch]).argmax(dim=1) == y[i:i + batch]).sum().item()
    return correct / len(x)


def since_process_start():
    """Seconds since this process started (Linux /proc: imports and the data load count), or NaN."""
    try:
        with open("/proc/self/stat") as f:
            start_ticks = int(f.read().rsplit(")", 1)[1].split()[19])  # field 22, starttime
        with open("/proc/uptime") as f:
            uptime = float(f.read().split()[0])
        return uptime - start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return float("nan")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dtype", choices=["float64", "float32"], default="float64")
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)),
                    help="torch.set_num_threads (default: the cores this process may use)")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--lr", type=float, default=0.05)
    ap.add_argument("--momentum", type=float, default=0.9)
    ap.add_argument("--data", default=os.environ.get("FASHION_MNIST_DIR") or DEFAULT_DIR,
                    help="directory of the four IDX .gz files (default $FASHION_MNIST_DIR or " + DEFAULT_DIR + ")")
    args = ap.parse_args()
    if args.epochs < 1 or args.threads < 1 or args.batch_size < 1:
        ap.error("--epochs, --threads and --batch-size must be >= 1")

    dtype = getattr(torch, args.dtype)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    names = [f"{p}-{k}-idx{d}-ubyte.gz" for p in ("train", "t10k") for k, d in (("images", 3), ("labels", 1))]
    missing = [n for n in names if not os.path.isfile(os.path.join(args.data, n))]
    if missing:
        sys.exit(f"fmnist_mlp.py: no {', '.join(missing)} in {args.data}: install Debian's dataset-fashion-mnist "
                 f"or set FASHION_MNIST_DIR / --data")
    t0 = time.perf_counter()
    x_train, y_train, x_test, y_test = load(args.data, dtype)
    print(f"data: {args.data}: {len(x_train)} train / {len(x_test)} test rows, {x_train.shape[1]} features, "
          f"{args.dtype}, loaded in {time.perf_counter() - t0:.2f} s (not timed below)")

    init_gen = torch.Generator().manual_seed(args.seed)
    shuffle_gen = torch.Generator().manual_seed(args.seed + 1)
    model = Mlp([784, 256, 128, 10], dtype, init_gen)
    opt = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=args.momentum)

    n = len(x_train)
    steps = math.ceil(n / args.batch_size)
    bounds = [s * n // steps for s in range(steps + 1)]

    print(f"torch {torch.__version__} (python {sys.version.split()[0]}, numpy {np.__version__}); "
          f"torch threads {torch.get_num_threads()}, OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', '(unset)')}, "
          f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', '(unset)')}, {len(os.sched_getaffinity(0))} cores, "
          f"load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    for line in torch.__config__.parallel_info().splitlines():
        if line.strip():
            print("  " + line.strip())
    info = re.findall(r"\b(?:BLAS_INFO|LAPACK_INFO|CPU capability usage)[=:] ?[^,\n]+", torch.__config__.show())
    blas = loaded_blas()
    print(f"  build: {', '.join(info)}; BLAS loaded: {', '.join(blas) or '(none seen)'}")
    core, blas_threads = openblas_info(blas)
    if core is None:
        print("  no OpenBLAS loaded: the reference BLAS is many times slower (apt-get install libopenblas0)")
    else:
        print(f"  OpenBLAS core {core}, {blas_threads} threads; "
              f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}")
        if core == "Prescott":
            print("  note: OpenBLAS uses its generic Prescott kernels (CPU unknown to it?); OPENBLAS_CORETYPE=SkylakeX "
                  "(AVX-512) or Haswell (AVX2) was 3.4x faster in GEMM on the 2-core machine (bench/pytorch/README.md)")
        if blas_threads and blas_threads > 1 and torch.get_num_threads() > 1:
            print(f"  note: {torch.get_num_threads()} torch (OpenMP) threads + {blas_threads} OpenBLAS threads "
                  "oversubscribe the cores: 3-4x slower on the 2-core machine than --threads 1 with "
                  "OPENBLAS_NUM_THREADS=2 (bench/pytorch/README.md)")
    print(f"model 784-256-128-10 ReLU, {sum(p.numel() for p in model.parameters())} params; SGD lr {args.lr} "
          f"momentum {args.momentum}; batch {args.batch_size}, {steps} steps/epoch; seed {args.seed}")
    print(f"{'epoch':>5} {'train loss':>10} {'epoch s':>8} {'steps/s':>8} {'rows/s':>8} {'eval s':>7} {'test acc':>8}")

    epoch_s, eval_s = [], []
    acc = float("nan")
    first_step_s = float("nan")
    for epoch in range(1, args.epochs + 1):
        model.train()
        order = torch.randperm(n, generator=shuffle_gen)
        loss_sum = torch.zeros((), dtype=torch.float64)
        start = time.perf_counter()
        for s in range(steps):
            idx = order[bounds[s]:bounds[s + 1]]
            xb, yb = x_train.index_select(0, idx), y_train.index_select(0, idx)
            loss = F.cross_entropy(model(xb), yb)  # mean over the batch
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            loss_sum += loss.detach() * len(idx)
            if math.isnan(first_step_s):
                first_step_s = since_process_start()
        elapsed = time.perf_counter() - start
        model.eval()
        start = time.perf_counter()
        acc = evaluate(model, x_test, y_test)
        eval_elapsed = time.perf_counter() - start
        epoch_s.append(elapsed)
        eval_s.append(eval_elapsed)
        print(f"{epoch:5d} {loss_sum.item() / n:10.5f} {elapsed:8.3f} {steps / elapsed:8.1f} {n / elapsed:8.0f} "
              f"{eval_elapsed:7.3f} {acc:8.4f}", flush=True)
        if not math.isfinite(loss_sum.item()):
            sys.exit(f"diverged in epoch {epoch}: loss {loss_sum.item()}")

    counted = epoch_s[1:] if len(epoch_s) >= 3 else epoch_s
    counted_eval = eval_s[1:] if len(eval_s) >= 3 else eval_s
    print(f"BENCH torch dtype={args.dtype} threads={torch.get_num_threads()} epochs={args.epochs} "
          f"median_epoch_s={statistics.median(counted):.3f} test_acc={acc:.4f} "
          f"median_eval_s={statistics.median(counted_eval):.3f} first_step_s={first_step_s:.3f}")


if __name__ == "__main__":
    main()
