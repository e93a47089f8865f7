#!/usr/bin/python3
"""The Python peer of bench_backbone: torchvision's ResNet backbone (fc removed) on random
[batch, 3, size, size] input, in the configurations a PyTorch user would reach for.

  backbone_python.py [--depth 50] [--batch 32] [--size 224] [--iterations 5] [--threads N]
                     [--configs eager_fp32,channels_last_fp32,bf16_channels_last,
                                autocast_bf16,torchscript_frozen_fp32]

Prints one JSON object per line like bench_backbone.
"""
import argparse
import json
import os
import resource
import time

import torch
import torchvision

GMACS = {18: 1.814, 34: 3.664, 50: 4.089, 101: 7.801, 152: 11.514}


def backbone(depth):
    model = getattr(torchvision.models, f"resnet{depth}")()
    model.fc = torch.nn.Identity()
    return model.eval()


def cpu_seconds():
    """CPU time of this process, all threads: unlike the wall clock, it does not grow when
    other programs take the cores."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def timed(function, argument, iterations):
    with torch.no_grad():
        function(argument)  # warm-up
        seconds, cpu = [], []
        for _ in range(iterations):
            start, cpu_start = time.perf_counter(), cpu_seconds()
            function(argument)
            seconds.append(time.perf_counter() - start)
            cpu.append(cpu_seconds() - cpu_start)
    seconds.sort()
    cpu.sort()
    return seconds[0], seconds[len(seconds) // 2], cpu[len(cpu) // 2]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--depth", type=int, default=50)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--size", type=int, default=224)
    parser.add_argument("--iterations", type=int, default=5)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--configs", default="eager_fp32,channels_last_fp32,bf16_channels_last,"
                                             "autocast_bf16,torchscript_frozen_fp32")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    x = torch.randn(args.batch, 3, args.size, args.size)
    gflops = 2 * GMACS[args.depth] * (args.size / 224) ** 2

    for config in args.configs.split(","):
        model = backbone(args.depth)
        if config == "eager_fp32":
            function, argument = model, x
        elif config == "channels_last_fp32":
            function = model.to(memory_format=torch.channels_last)
            argument = x.to(memory_format=torch.channels_last)
        elif config == "bf16_channels_last":
            function = model.to(memory_format=torch.channels_last).to(torch.bfloat16)
            argument = x.to(memory_format=torch.channels_last).to(torch.bfloat16)
        elif config == "autocast_bf16":
            cl = model.to(memory_format=torch.channels_last)

            def function(value, module=cl):
                with torch.cpu.amp.autocast(dtype=torch.bfloat16):
                    return module(value)

            argument = x.to(memory_format=torch.channels_last)
        elif config == "torchscript_frozen_fp32":
            with torch.no_grad():
                traced = torch.jit.trace(model, x[:1])
                function = torch.jit.optimize_for_inference(torch.jit.freeze(traced))
            argument = x
        else:
            raise SystemExit(f"unknown config {config}")
        best, median, cpu = timed(function, argument, args.iterations)
        print(json.dumps({"config": f"torchvision {config}",
                          "images_per_second": round(args.batch / best, 2),
                          "median": round(args.batch / median, 2),
                          "images_per_cpu_second": round(args.batch / cpu, 2),
                          "gflops": round(gflops * args.batch / best, 1)}), flush=True)


if __name__ == "__main__":
    main()
