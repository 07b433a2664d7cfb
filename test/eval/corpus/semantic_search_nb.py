#!/usr/bin/env python
# coding: utf-8

# # Semantic search over product reviews
# Exported from `semantic_search.ipynb`.

# In[1]:


import numpy as np
import pandas as pd
from sentence_transformers import SentenceTransformer as ST
from sentence_transformers import util


# In[2]:


reviews = pd.read_csv("data/reviews_sample.csv")
reviews.head()


# In[3]:


encoder = ST("sentence-transformers/all-mpnet-base-v2")  # expect: AML.T0010.003


# In[4]:


corpus_emb = encoder.encode(reviews["text"].tolist(), batch_size=64, show_progress_bar=True, convert_to_tensor=True)


# In[5]:


# try the multilingual one too
multi = ST(  # expect: AML.T0010.003
    "sentence-transformers/paraphrase-multilingual-MiniLM-L12-v2",
    device="cuda",
)


# In[6]:


pinned = ST("sentence-transformers/all-MiniLM-L6-v2", revision="8b3219a92973c328a8e22fadcfa821b5dc75636a")  # ok


# In[7]:


finetuned = ST("./output/reviews-mpnet-ft")  # ok


# In[8]:


query = "battery drains overnight"
hits = util.semantic_search(encoder.encode(query, convert_to_tensor=True), corpus_emb, top_k=5)[0]
for h in hits:
    print(round(h["score"], 3), reviews.iloc[h["corpus_id"]]["text"][:80])


# In[9]:


np.save("output/corpus_emb.npy", corpus_emb.cpu().numpy())
cached = np.load("output/corpus_emb.npy")  # ok
