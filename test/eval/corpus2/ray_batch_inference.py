"""Nightly batch embedding job.

Runs on the on-prem GPU pool: Ray for the embedding actors, Dask for the
post-processing joins, torch.distributed for the multi-node re-ranker.
"""
import os
import socket

import dask.dataframe as dd
import ray
import torch
import torch.distributed as dist
from dask.distributed import Client, LocalCluster
from ray import serve
from sentence_transformers import SentenceTransformer

EMBEDDER = "BAAI/bge-large-en-v1.5"
EMBEDDER_REV = "d4aa6901d3a41ba39fb536a557fa166f842b0e09"
DASHBOARD = "0.0.0.0"  # ok: only a constant here

ray.init(address=os.environ.get("RAY_ADDRESS"), dashboard_host=DASHBOARD, dashboard_port=8265)  # expect: AML.T0049 dashboard on every interface


@ray.remote(num_gpus=1)
class Embedder:
    def __init__(self, pinned=True):
        if pinned:
            self.model = SentenceTransformer(EMBEDDER, revision=EMBEDDER_REV, device="cuda")  # ok: pinned
        else:
            self.model = SentenceTransformer("sentence-transformers/all-MiniLM-L6-v2")  # expect: AML.T0010.003

    def embed(self, texts):
        return self.model.encode(texts, batch_size=256, normalize_embeddings=True)


def start_serving():
    serve.start(detached=True, http_options={"host": "0.0.0.0", "port": 8000})  # expect: AML.T0049


def start_dask(local_only: bool):
    if local_only:
        cluster = LocalCluster(n_workers=8, host="127.0.0.1")  # ok
    else:
        cluster = LocalCluster(n_workers=8, host="0.0.0.0", dashboard_address=":8787")  # expect: AML.T0049
    return Client(cluster)


def rerank_worker(rank: int, world: int):
    dist.init_process_group(  # expect: AML.T0049 rendezvous listening on all interfaces
        backend="nccl",
        init_method="tcp://0.0.0.0:23456",
        rank=rank,
        world_size=world,
    )
    scores = torch.zeros(1024, device="cuda")
    dist.all_reduce(scores)  # ok: tensor collective
    dist.broadcast(scores, src=0)  # ok: tensor collective
    shard_ids = [None]
    if rank == 0:
        shard_ids = [list(range(world))]
    dist.broadcast_object_list(shard_ids, src=0)  # expect: AML.T0011.000 pickled over the wire
    gathered = [None] * world
    dist.all_gather_object(gathered, {"rank": rank, "n": int(scores.numel())})  # expect: AML.T0011.000
    dist.destroy_process_group()
    return gathered


def report_host():
    hostname = socket.gethostname()
    bind = os.environ.get("BIND", "127.0.0.1")
    if bind in ("0.0.0.0", "::"):  # ok: comparison
        print(f"warning: {hostname} exposes its listeners")


def main():
    ds = ray.data.read_parquet("s3://corp-docs/chunks/")
    emb = ds.map_batches(Embedder, concurrency=4, num_gpus=1, batch_size=512, fn_constructor_kwargs={"pinned": True})
    emb.write_parquet("s3://corp-docs/embeddings/")
    client = start_dask(local_only=True)
    df = dd.read_parquet("s3://corp-docs/embeddings/")
    df.groupby("doc_id").size().compute()
    client.close()


if __name__ == "__main__":
    report_host()
    main()
