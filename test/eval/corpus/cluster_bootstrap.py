"""Bring up the Ray / Dask clusters for hyper-parameter search on the lab machines."""
import os

import ray
import torch.distributed as dist
from dask.distributed import Client, LocalCluster
from ray import serve


def start_ray_head():
    ray.init(  # expect: AML.T0049
        num_cpus=32,
        dashboard_host="0.0.0.0",
        include_dashboard=True,
    )


def start_ray_local():
    ray.init(num_cpus=8, dashboard_host="127.0.0.1")  # ok


def start_serve():
    serve.start(http_options={"host": "0.0.0.0", "port": 8000})  # expect: AML.T0049


def start_dask():
    cluster = LocalCluster(n_workers=4, host="0.0.0.0", dashboard_address=":8787")  # expect: AML.T0049
    return Client(cluster)


def start_dask_local():
    cluster = LocalCluster(n_workers=4, host="127.0.0.1")  # ok
    return Client(cluster)


def init_ddp(rank: int, world: int):
    dist.init_process_group(  # expect: AML.T0049
        backend="gloo",
        init_method="tcp://0.0.0.0:29500",
        rank=rank,
        world_size=world,
    )


def init_ddp_env():
    os.environ.setdefault("MASTER_ADDR", "127.0.0.1")
    dist.init_process_group(backend="nccl")  # ok
