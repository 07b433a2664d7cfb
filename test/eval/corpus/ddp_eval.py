"""Distributed evaluation: each rank scores a shard, rank 0 aggregates.

Launch with torchrun --nproc-per-node 8 ddp_eval.py
"""
import os
from multiprocessing.connection import Listener

import torch
import torch.distributed as dist


def setup():
    dist.init_process_group("nccl")
    torch.cuda.set_device(int(os.environ["LOCAL_RANK"]))


def gather_predictions(preds: list) -> list:
    world = dist.get_world_size()
    out = [None] * world
    dist.all_gather_object(out, preds)  # expect: AML.T0011.000
    return [p for shard in out for p in shard]


def share_vocab(vocab: dict | None) -> dict:
    box = [vocab]
    dist.broadcast_object_list(box, src=0)  # expect: AML.T0011.000
    return box[0]


def sum_correct(correct: int) -> int:
    t = torch.tensor([correct], device="cuda")
    dist.all_reduce(t, op=dist.ReduceOp.SUM)  # ok
    return int(t.item())


def broadcast_weights(model: torch.nn.Module) -> None:
    for p in model.parameters():
        dist.broadcast(p.data, src=0)  # ok


def collect_on_rank0(obj):
    out = [None] * dist.get_world_size() if dist.get_rank() == 0 else None
    dist.gather_object(  # expect: AML.T0011.000
        obj,
        out,
        dst=0,
    )
    return out


def results_server(address=("localhost", 6001)):
    """Receives result dicts from the scoring workers."""
    with Listener(address, authkey=b"eval") as listener:
        with listener.accept() as conn:
            return conn.recv()  # expect: AML.T0011.000


if __name__ == "__main__":
    setup()
    print(sum_correct(1))
