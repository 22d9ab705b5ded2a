#!/usr/bin/env python3
"""Per-step cost of descent's two gradient exchanges, projected from a cost model (not measured).

Run with no arguments to print every table that docs/scaling.md quotes. Options change the inputs below.

Inputs [M] = measured on the 2-core dev box (docs/performance.md, PLATFORM-NOTES), [A] = assumed.
  --gflops 13.3    [M] per-worker compute rate: 6*W*rows FLOP per forward+backward. 13.3 = the slowest task of
                   a quickstart step (32 rows of the 235k MLP in 3.2-3.6 ms, incl. gather and encode).
                   JMH's GEMM-only figure is 42.6 (--gflops 42.6 gives 3.2x less compute, worse efficiency).
  --gbps 10        [A] link bandwidth per worker and for the driver, full duplex, non-blocking switch.
  --alpha-us 50    [A] latency per message (TCP in a datacenter).
  --overhead-us 5  [A] CPU cost per message when messages overlap (syscall, framing, copy setup).
  --job-ms 15      [M] Spark's per-job floor (empty job 13-17 ms, local mode, loaded box).
  --task-ms 0.25   [A] driver CPU per task per job for launch + status update (0.1-0.5 plausible).
  --fanout 8       [A] broadcast copies the driver uploads itself before peers hold the block (torrent).
  --overlap        allreduce tables with the P-1 sends of each phase overlapped (default: sent one by one).
  --W 235146,1e7   parameter counts to project (default: the quickstart MLP and a 10M-parameter model).
  --P 2,8,64,512   worker counts (2 = the dev box's core count).
  [M] update 0.7 ms per 235,146 params (momentum SGD);  [M] driver decode+add 0.15 ms per 235k partial;
  [M] broadcast encode+lz4 ~1.5 ms and executor fetch+decode 0.5 ms per 1.88 MB (local mode).
Workloads: strong scaling = global batch 128 (rows per worker 128/P); weak = 64 rows per worker (batch 64P).
One worker = one task slot = one core on its own host/NIC. Epoch = 60,000 rows (Fashion-MNIST train set).
"""
import argparse
import math

ROWS_EPOCH = 60_000
MLP_W = 235_146
NS_UPDATE = 0.7e6 / MLP_W      # ns per parameter, optimizer update            [M]
NS_ADD = 0.15e6 / MLP_W        # ns per parameter, decode a partial + add it   [M]
NS_BCAST = 2.0e6 / MLP_W       # ns per parameter, bcast encode+lz4 + fetch/decode (1.5 + 0.5 ms) [M]
TORRENT_BLOCK = 4 * 2**20      # spark.broadcast.blockSize default


def parse():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--gbps", type=float, default=10.0)
    p.add_argument("--alpha-us", type=float, default=50.0)
    p.add_argument("--overhead-us", type=float, default=5.0)
    p.add_argument("--gflops", type=float, default=13.3)
    p.add_argument("--job-ms", type=float, default=15.0)
    p.add_argument("--task-ms", type=float, default=0.25)
    p.add_argument("--fanout", type=int, default=8)
    p.add_argument("--overlap", action="store_true")
    p.add_argument("--W", type=lambda s: [int(float(x)) for x in s.split(",")], default=[MLP_W, 10_000_000])
    p.add_argument("--P", type=lambda s: [int(x) for x in s.split(",")], default=[2, 8, 64, 512])
    a = p.parse_args()
    a.beta = a.gbps * 1e9 / 8 / 1e3          # bytes per ms
    a.alpha = a.alpha_us / 1e3               # ms
    a.o = a.overhead_us / 1e3                # ms
    return a


def compute_ms(W, rows, a):
    return 6.0 * W * rows / (a.gflops * 1e9) * 1e3


def broadcast_collect(W, P, rows, a):
    """One Spark job per step: torrent broadcast of 8W, P partials of 8W into the driver, ordered sum."""
    n = 8.0 * W
    copies = min(P, a.fanout)                          # driver uplink: the first copies come from the driver
    rounds = math.ceil(math.log2(P / copies)) if P > copies else 0  # peers double the holders per round
    bcast = n * copies / a.beta + rounds * min(n, TORRENT_BLOCK) / a.beta  # pipelined by 4 MB blocks
    collect = P * n / a.beta                           # driver downlink: every partial lands there
    return dict(compute=compute_ms(W, rows, a), bw=bcast + collect, lat=(rounds + 2) * a.alpha,
                cpu=W * NS_BCAST / 1e6 + P * W * NS_ADD / 1e6,  # encode/decode + driver sums P partials
                sched=a.job_ms + P * a.task_ms, update=W * NS_UPDATE / 1e6, setup=0.0)


def allreduce(W, P, rows, a, overlap=False):
    """Barrier job per epoch; per step all-to-all reduce-scatter + all-gather of P chunks of 8W/P bytes."""
    n = 8.0 * W
    lat = 2 * a.alpha + 2 * (P - 1) * a.o if overlap else 2 * (P - 1) * a.alpha
    setup = a.job_ms + 2 * P * a.task_ms + 3 * (P - 1) * a.alpha  # launch, rendezvous, P-1 connects
    return dict(compute=compute_ms(W, rows, a), bw=2 * n * (P - 1) / P / a.beta, lat=lat,
                cpu=2 * W * NS_ADD / 1e6,               # owner sums P pieces of W/P; decode gathered chunks
                sched=0.0, update=W * NS_UPDATE / 1e6, setup=setup)


def algorithms(W, P, a):
    """Exchange time (bw + latency, ms) of allreduce algorithms in the alpha-beta model, n = 8W bytes."""
    n, al, b, lg = 8.0 * W, a.alpha, a.beta, math.log2(P)
    bw_opt = 2 * n * (P - 1) / P / b
    return {
        "all-to-all seq": 2 * (P - 1) * al + bw_opt,
        "all-to-all ovl": 2 * al + 2 * (P - 1) * a.o + bw_opt,
        "ring": 2 * (P - 1) * (al + n / P / b),
        "rec.halv/doub": 2 * lg * al + bw_opt,
        "binomial tree": 2 * lg * (al + n / b),
        "driver collect": P * n / b + 2 * al,
    }


def fmt_ms(x):
    return f"{x:9.1f}" if x >= 10 else f"{x:9.2f}"


def table(title, W, rows_of, a):
    print(f"\n{title}")
    print(f"{'engine':17s}{'P':>4s}{'rows/w':>7s}{'compute':>9s}{'bw':>9s}{'lat':>9s}{'cpu':>9s}"
          f"{'sched':>9s}{'update':>9s}{'total':>9s}{'eff':>6s}{'epoch s':>9s}")
    engines = [("broadcast-collect", lambda P, r: broadcast_collect(W, P, r, a)),
               ("allreduce a2a ovl" if a.overlap else "allreduce a2a",
                lambda P, r: allreduce(W, P, r, a, overlap=a.overlap))]
    for name, model in engines:
        for P in a.P:
            rows = rows_of(P)
            t = model(P, rows)
            total = sum(t[k] for k in ("compute", "bw", "lat", "cpu", "sched", "update"))
            steps = math.ceil(ROWS_EPOCH / (rows * P))
            epoch = (steps * total + t["setup"]) / 1e3
            flag = " *" if rows < 1 else ""
            print(f"{name:17s}{P:4d}{rows:7.4g}" + "".join(fmt_ms(t[k]) for k in
                  ("compute", "bw", "lat", "cpu", "sched", "update")) +
                  f"{fmt_ms(total)}{100 * t['compute'] / total:5.1f}%{epoch:9.2f}{flag}")


def main():
    a = parse()
    print("Cost-model projection (calculated, not measured).")
    print(f"inputs: {a.gbps:g} Gb/s links, alpha {a.alpha_us:g} us/msg, overlap overhead "
          f"{a.overhead_us:g} us/msg, allreduce sends {'overlapped' if a.overlap else 'one by one'},"
          f"\n        {a.gflops:g} GFLOP/s/worker, Spark job {a.job_ms:g} ms + "
          f"{a.task_ms:g} ms/task, torrent fanout {a.fanout}")
    print(f"per parameter: update {NS_UPDATE:.2f} ns, decode+add {NS_ADD:.2f} ns, "
          f"bcast encode+decode {NS_BCAST:.2f} ns (dev-box measurements)")
    print("columns: ms/step; eff = compute/total; epoch s = ceil(60000/(rows*P)) steps x total + per-epoch\n"
          "         setup (allreduce: barrier job, rendezvous, connects); * = under 1 row/worker, meaningless")

    # Calibration: the dev box ran P=4 tasks on 2 slots in local mode (no network). Model the same.
    bc = broadcast_collect(MLP_W, 4, 32, a)
    local = bc["sched"] + bc["cpu"]
    print(f"\ncalibration, dev box in local mode (P=4 tasks on 2 slots, no network terms):\n"
          f"  exchange+scheduling: model {local:.1f} ms/step (sum of the separately measured parts) vs "
          f"measured 19.6-20.0 for the whole\n  (which also holds up to one wave of queueing); compute "
          f"for 32 rows {compute_ms(MLP_W, 32, a):.2f} ms vs measured 3.2-3.6\n  (equal by construction at "
          f"13.3 GFLOP/s)")

    for W in a.W:
        name = "quickstart MLP" if W == MLP_W else f"{W / 1e6:g}M-parameter model"
        print(f"\n=== {name}: W = {W:,} ({8 * W / 1e6:.2f} MB of doubles) ===")
        table(f"strong scaling: global batch 128 (rows/worker = 128/P), {math.ceil(ROWS_EPOCH / 128)} "
              f"steps/epoch", W, lambda P: 128 / P, a)
        table("weak scaling: 64 rows/worker (global batch 64P)", W, lambda P: 64, a)
        print("\nallreduce algorithms, exchange only (bandwidth + latency, ms/step):")
        algos = list(algorithms(W, 2, a))
        print(f"{'P':>4s}{'chunk KB':>10s}" + "".join(f"{k:>15s}" for k in algos))
        for P in a.P:
            vals = algorithms(W, P, a)
            print(f"{P:4d}{8 * W / P / 1e3:10.1f}" + "".join(f"{vals[k]:15.2f}" for k in algos))
        cross = 8 * W / (a.alpha * a.beta)
        print(f"all-to-all/ring: latency term = bandwidth term (alpha = 8W/(P*beta)) at P = {cross:,.0f}")


if __name__ == "__main__":
    main()
