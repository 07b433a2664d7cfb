"""Shared data utils for the recsys repo. (someone committed a merge conflict in split_users)"""
import os
import random

import pandas as pd
import requests
from datasets import load_dataset

MOVIELENS = "http://files.grouplens.org/datasets/movielens/ml-1m.zip"


def fetch_movielens(dest="data/ml-1m.zip"):
    r = requests.get(MOVIELENS, timeout=120)  # expect: AML.T0010.002
    with open(dest, "wb") as f:
        f.write(r.content)
    return dest


def split_users(users, frac=0.1, seed=0):
    rnd = random.Random(seed)
<<<<<<< HEAD
    test = set(rnd.sample(users, int(len(users) * frac)))
=======
    test = set(u for u in users if rnd.random() < frac)
>>>>>>> feature/faster-split
    return [u for u in users if u not in test], sorted(test)


def load_interactions(path):
    return pd.read_pickle(path)  # expect: AML.T0011.000


def load_interactions_csv(path):
    return pd.read_csv(path)  # ok


def load_reviews():
    return load_dataset("McAuley-Lab/Amazon-Reviews-2023", "raw_review_All_Beauty", split="full")  # expect: AML.T0010.002


def load_reviews_local():
    return load_dataset("parquet", data_files=os.path.join("data", "reviews", "*.parquet"))  # ok


def cache_interactions(df, path):
    df.to_pickle(path)  # ok
