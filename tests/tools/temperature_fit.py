#!/usr/bin/env python3
"""Reference temperature scaling (Guo et al. 2017) for tst_decision.

Usage: temperature_fit.py CASES.json  — a JSON object {"logits": [[...], ...], "labels": [...]}.
Prints {"temperature": T, "nll": NLL at T} after minimising the mean cross-entropy of
logits / T with torch.optim.LBFGS (strong Wolfe line search), in float64.
"""
import json
import sys

import torch


def main():
    with open(sys.argv[1]) as handle:
        cases = json.load(handle)
    logits = torch.tensor(cases["logits"], dtype=torch.float64)
    labels = torch.tensor(cases["labels"], dtype=torch.int64)
    temperature = torch.nn.Parameter(torch.ones(1, dtype=torch.float64))
    optimizer = torch.optim.LBFGS([temperature], lr=1.0, max_iter=500, tolerance_grad=1e-12,
                                  tolerance_change=1e-15, line_search_fn="strong_wolfe")
    loss_of = torch.nn.CrossEntropyLoss()

    def closure():
        optimizer.zero_grad()
        loss = loss_of(logits / temperature, labels)
        loss.backward()
        return loss

    optimizer.step(closure)
    with torch.no_grad():
        nll = loss_of(logits / temperature, labels).item()
    print(json.dumps({"temperature": temperature.item(), "nll": nll}))


if __name__ == "__main__":
    main()
