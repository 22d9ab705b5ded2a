#!/usr/bin/python3
"""scikit-learn SGDClassifier (log loss) reference for scripts/bench-sparse.sh.

Loads the generator's (or the text set's) LIBSVM train/test files as CSR (float64 values, int32 indices),
then trains one epoch at a time with partial_fit (shuffled by a seeded permutation each epoch), timing only
the training, and scores the test set after every epoch. Prints
  LOAD sklearn <seconds> rows=<n> nnz=<nnz> bytes_per_nnz=<csr bytes / nnz>
  CURVE sklearn <cumulative train seconds> <test accuracy> epoch=<e>
"""
import sys
import time

import numpy as np
from sklearn.datasets import load_svmlight_file
from sklearn.linear_model import SGDClassifier


def main():
    train, test, features, epochs, alpha = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
    t0 = time.perf_counter()
    x, y = load_svmlight_file(train, n_features=features, dtype=np.float64)
    xt, yt = load_svmlight_file(test, n_features=features, dtype=np.float64)
    x.indices = x.indices.astype(np.int32)
    load = time.perf_counter() - t0
    csr_bytes = x.data.nbytes + x.indices.nbytes + x.indptr.nbytes
    print(f"LOAD sklearn {load:.3f} rows={x.shape[0]} nnz={x.nnz} bytes_per_nnz={csr_bytes / max(1, x.nnz):.2f}", flush=True)
    classes = np.unique(np.concatenate([y, yt]))
    clf = SGDClassifier(loss="log_loss", alpha=alpha, learning_rate="optimal", n_jobs=2, random_state=0)
    rng = np.random.default_rng(0)
    spent = 0.0
    for e in range(1, epochs + 1):
        order = rng.permutation(x.shape[0])
        xs, ys = x[order], y[order]
        t = time.perf_counter()
        clf.partial_fit(xs, ys, classes=classes)
        spent += time.perf_counter() - t
        acc = float((clf.predict(xt) == yt).mean())
        print(f"CURVE sklearn {spent:.3f} {acc:.5f} epoch={e}", flush=True)


if __name__ == "__main__":
    main()
