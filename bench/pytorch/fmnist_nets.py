#!/usr/bin/env python3
"""PyTorch CPU reference for issue #15: the recipes of conf/fashion-mnist-cnn.conf and conf/fashion-mnist-lstm.conf,
so that descent's epoch time and test accuracy can be set against a plain single-process PyTorch loop on the same
machine (scripts/bench-networks.sh runs both side by side).

Recipes (identical to the shipped configs):
  inputs   pixels / 255 in [0, 1]; the 60k train / 10k test IDX files. cnn: each row as a 1x28x28 image;
           lstm: each image as 28 time steps of 28 pixels (row h = step h), as descent's model.input-shape maps it
  cnn      conv 5x5x16 ReLU - max-pool 2 - conv 5x5x32 ReLU - max-pool 2 - flatten (512) - dense 10; He-normal
           weights N(0, 2 / fan_in) with fan_in = C*K*K for a conv (descent's he-normal), biases 0;
           Adam lr 0.002 (betas 0.9/0.999, eps 1e-8)
  lstm     LSTM 64 units (gates i, f, g, o, as descent's), last hidden state - dense 10; Xavier-uniform weights over
           descent's stacked [W_x; W_h] ((28 + 64) x 256: a = sqrt(6 / (92 + 256))) and the dense layer, biases 0
           (torch's two LSTM biases both 0); Adam lr 0.003; gradient norm clipped to 5 (clipping.max-norm = 5)
  schedule both: cosine decay from the base rate to 0 over the whole run (schedule.kind = cosine with
           total-steps = 0): step t of T = epochs x S uses lr * (1 + cos(pi t / T)) / 2
  batches  batch 128, reshuffled every epoch; S = ceil(N / 128) steps, step s = rows [floor(sN/S), floor((s+1)N/S))
  precision  --dtype float64 (default, the shipped configs' training.precision) or float32 (descent:
           training.precision = float32, float32 compute with float64 master weights; here plain float32 weights)

Timing as fmnist_mlp.py: each epoch's training steps timed, the test evaluation separately. Last line:
  BENCH torch arch=cnn dtype=float64 threads=1 epochs=3 median_epoch_s=... test_acc=... median_eval_s=...
"""
import argparse
import math
import os
import statistics
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fmnist_mlp import DEFAULT_DIR, load, loaded_blas, openblas_info  # noqa: E402


class Cnn(torch.nn.Module):
    def __init__(self, dtype, gen):
        super().__init__()
        self.c1 = torch.nn.Conv2d(1, 16, 5, dtype=dtype)
        self.c2 = torch.nn.Conv2d(16, 32, 5, dtype=dtype)
        self.fc = torch.nn.Linear(512, 10, dtype=dtype)
        with torch.no_grad():
            for layer, fan_in in ((self.c1, 25), (self.c2, 400), (self.fc, 512)):
                layer.weight.normal_(0.0, math.sqrt(2.0 / fan_in), generator=gen)
                layer.bias.zero_()

    def forward(self, x):
        x = x.view(-1, 1, 28, 28)
        x = F.max_pool2d(F.relu(self.c1(x)), 2)
        x = F.max_pool2d(F.relu(self.c2(x)), 2)
        return self.fc(x.flatten(1))


class Lstm(torch.nn.Module):
    def __init__(self, dtype, gen, units=64):
        super().__init__()
        self.lstm = torch.nn.LSTM(28, units, batch_first=True, dtype=dtype)
        self.fc = torch.nn.Linear(units, 10, dtype=dtype)
        with torch.no_grad():
            a = math.sqrt(6.0 / (28 + units + 4 * units))
            self.lstm.weight_ih_l0.uniform_(-a, a, generator=gen)
            self.lstm.weight_hh_l0.uniform_(-a, a, generator=gen)
            self.lstm.bias_ih_l0.zero_()
            self.lstm.bias_hh_l0.zero_()
            b = math.sqrt(6.0 / (units + 10))
            self.fc.weight.uniform_(-b, b, generator=gen)
            self.fc.bias.zero_()

    def forward(self, x):
        out, _ = self.lstm(x.view(-1, 28, 28))
        return self.fc(out[:, -1, :])


def evaluate(model, x, y, batch=1000):
    correct = 0
    with torch.no_grad():
        for i in range(0, len(x), batch):
            correct += (model(x[i:i + batch]).argmax(dim=1) == y[i:i + batch]).sum().item()
    return correct / len(x)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--arch", choices=["cnn", "lstm"], required=True)
    ap.add_argument("--dtype", choices=["float64", "float32"], default="float64")
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)))
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--data", default=os.environ.get("FASHION_MNIST_DIR") or DEFAULT_DIR)
    args = ap.parse_args()
    dtype = getattr(torch, args.dtype)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    x_train, y_train, x_test, y_test = load(args.data, dtype)
    gen = torch.Generator().manual_seed(args.seed)
    shuffle_gen = torch.Generator().manual_seed(args.seed + 1)
    if args.arch == "cnn":
        model, lr, clip = Cnn(dtype, gen), 0.002, None
    else:
        model, lr, clip = Lstm(dtype, gen), 0.003, 5.0
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    n = len(x_train)
    steps = math.ceil(n / args.batch_size)
    total = args.epochs * steps
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda t: 0.5 * (1.0 + math.cos(math.pi * min(t, total) / total)))
    bounds = [s * n // steps for s in range(steps + 1)]
    blas = loaded_blas()
    core, blas_threads = openblas_info(blas)
    print(f"torch {torch.__version__}; {args.arch}, {sum(p.numel() for p in model.parameters())} params, {args.dtype}; "
          f"torch threads {torch.get_num_threads()}, OpenBLAS core {core} x {blas_threads} threads; "
          f"load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    print(f"{'epoch':>5} {'train loss':>10} {'epoch s':>8} {'rows/s':>8} {'eval s':>7} {'test acc':>8}")
    epoch_s, eval_s, acc = [], [], float("nan")
    for epoch in range(1, args.epochs + 1):
        model.train()
        order = torch.randperm(n, generator=shuffle_gen)
        loss_sum = 0.0
        start = time.perf_counter()
        for s in range(steps):
            idx = order[bounds[s]:bounds[s + 1]]
            loss = F.cross_entropy(model(x_train.index_select(0, idx)), y_train.index_select(0, idx))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            if clip:
                torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
            opt.step()
            sched.step()
            loss_sum += loss.item() * len(idx)
        elapsed = time.perf_counter() - start
        model.eval()
        start = time.perf_counter()
        acc = evaluate(model, x_test, y_test)
        eval_s.append(time.perf_counter() - start)
        epoch_s.append(elapsed)
        print(f"{epoch:5d} {loss_sum / n:10.5f} {elapsed:8.3f} {n / elapsed:8.0f} {eval_s[-1]:7.3f} {acc:8.4f}", flush=True)
    counted = epoch_s[1:] if len(epoch_s) >= 3 else epoch_s
    counted_eval = eval_s[1:] if len(eval_s) >= 3 else eval_s
    print(f"BENCH torch arch={args.arch} dtype={args.dtype} threads={torch.get_num_threads()} epochs={args.epochs} "
          f"median_epoch_s={statistics.median(counted):.3f} test_acc={acc:.4f} "
          f"median_eval_s={statistics.median(counted_eval):.3f}")


if __name__ == "__main__":
    main()
