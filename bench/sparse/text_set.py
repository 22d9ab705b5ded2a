#!/usr/bin/python3
"""A real sparse text set from what Debian installs: every English manual page under /usr/share/man/man[1-8],
labelled by its section (1..8 -> class 0..7), words hashed to 2^bits features (CRC-32 of the lower-cased word),
value log(1 + count), rows L2-normalised. The .TH header and the file name (which name the section) are left
out. Seeded 80/20 split. Writes OUT/train.libsvm and OUT/test.libsvm; prints a TEXT line with the counts.

  /usr/bin/python3 bench/sparse/text_set.py OUT_DIR [bits=18] [seed=1]
"""
import gzip
import math
import os
import random
import re
import sys
import zlib

WORD = re.compile(rb"[a-z][a-z0-9_]{1,30}")


def rows(man="/usr/share/man", bits=18):
    mask = (1 << bits) - 1
    for section in range(1, 9):
        d = os.path.join(man, f"man{section}")
        if not os.path.isdir(d):
            continue
        for name in sorted(os.listdir(d)):
            path = os.path.join(d, name)
            try:
                opener = gzip.open if name.endswith(".gz") else open
                with opener(path, "rb") as f:
                    text = f.read()
            except OSError:
                continue
            counts = {}
            for line in text.lower().split(b"\n"):
                if line.startswith(b".th") or line.startswith(b".so"):
                    continue
                for w in WORD.findall(line):
                    h = (zlib.crc32(w) & mask) + 1
                    counts[h] = counts.get(h, 0) + 1
            if len(counts) < 5:
                continue  # .so redirections and empty stubs
            vals = {i: math.log1p(c) for i, c in counts.items()}
            norm = math.sqrt(sum(v * v for v in vals.values()))
            yield section - 1, sorted((i, v / norm) for i, v in vals.items())


def main():
    out = sys.argv[1]
    bits = int(sys.argv[2]) if len(sys.argv) > 2 else 18
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    os.makedirs(out, exist_ok=True)
    rng = random.Random(seed)
    n = {"train": 0, "test": 0}
    nnz = 0
    per_class = [0] * 8
    with open(os.path.join(out, "train.libsvm"), "w") as tr, open(os.path.join(out, "test.libsvm"), "w") as te:
        for label, feats in rows(bits=bits):
            split = "test" if rng.random() < 0.2 else "train"
            (te if split == "test" else tr).write(
                str(label) + "".join(f" {i}:{v:.6f}" for i, v in feats) + "\n")
            n[split] += 1
            nnz += len(feats)
            per_class[label] += 1
    total = n["train"] + n["test"]
    print(f"TEXT rows={total} train={n['train']} test={n['test']} features={1 << bits} "
          f"nnz_per_row={nnz / max(1, total):.1f} per_class={per_class}", flush=True)


if __name__ == "__main__":
    main()
