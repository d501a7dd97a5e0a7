"""Record a DistributedDataParallel run: gloo backend, CPU, 2 processes, a CNN with BatchNorm.

    torchrun --standalone --nproc_per_node=2 examples/ddp_gloo.py --out runs/ddp

Pass the DDP model to the Recorder (or to ``vizdl.train``): rank 0 records, the other
ranks' Recorder does nothing, and the probe forward runs on ``ddp.module`` so it starts no
collective (no BatchNorm buffer broadcast that the other ranks would never join).
"""
import argparse
from pathlib import Path

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch import nn

import vizdl


def cnn() -> nn.Module:
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(),
                         nn.AdaptiveAvgPool2d(2), nn.Flatten(), nn.Linear(16, 10))


def hand_written_loop(ddp, data, out: Path, steps: int, lr: float):
    """Each rank trains on its own samples; DDP averages the gradients in backward()."""
    rank, world = dist.get_rank(), dist.get_world_size()
    x, y = data.x_train[rank::world], data.y_train[rank::world]
    opt = torch.optim.SGD(ddp.parameters(), lr=lr)
    spec = vizdl.RecordSpec(every=1, probe_size=16)
    with vizdl.Recorder(ddp, out, spec, probe=(data.x_val, data.y_val)) as rec:
        for step in range(steps):
            xb, yb = x[32 * step: 32 * step + 32], y[32 * step: 32 * step + 32]
            loss = F.cross_entropy(ddp(xb), yb)
            opt.zero_grad()
            loss.backward()          # gradients are averaged over the ranks here
            rec.capture(step)        # rank 0 records the averaged gradients the step uses
            opt.step()
            rec.log(step, loss=loss.item())
    return rec.run                   # a Run on rank 0, None elsewhere


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("runs/ddp"))
    parser.add_argument("--steps", type=int, default=6)
    parser.add_argument("--lr", type=float, default=0.1)
    args = parser.parse_args()
    dist.init_process_group("gloo")
    torch.manual_seed(0)                                  # the same initial weights on every rank
    data = vizdl.data.load("digits")
    ddp = nn.parallel.DistributedDataParallel(cnn())
    run = hand_written_loop(ddp, data, args.out / "loop", args.steps, args.lr)
    trained = vizdl.train(ddp, data, epochs=1, lr=args.lr, batch_size=256, quiet=True,
                          record=vizdl.RecordSpec(every=2, probe_size=16), out=args.out / "train")
    if dist.get_rank() == 0:
        print(run, trained, sep="\n")
    else:
        assert run is None and trained is None
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
