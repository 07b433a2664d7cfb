"""Build / refresh the FAISS index for the support-bot RAG.

The index folder contains index.faiss + index.pkl (docstore, pickled by LangChain),
so loading it with allow_dangerous_deserialization=True is only OK for our own files.
"""
import os
from pathlib import Path

import onnxruntime as ort
from langchain_community.document_loaders import DirectoryLoader
from langchain_community.vectorstores import FAISS
from langchain_huggingface import HuggingFaceEmbeddings
from langchain_text_splitters import RecursiveCharacterTextSplitter
from sentence_transformers import CrossEncoder, SentenceTransformer

INDEX_DIR = Path("indexes/support")
SHARED_INDEX = os.environ.get("SHARED_INDEX_DIR", "/mnt/shared/indexes/support")
ORT_EXT = "vendor/libortextensions.so"
EMB_MODEL = "intfloat/e5-base-v2"
EMB_REV = "1c644c92ad3ba1efdad3f1451a637716616a20e8"

embeddings = HuggingFaceEmbeddings(model_name=EMB_MODEL, model_kwargs={"revision": EMB_REV})  # ok: pinned via model_kwargs
reranker = CrossEncoder("cross-encoder/ms-marco-MiniLM-L-6-v2")  # maybe: CrossEncoder is a sentence-transformers loader not named in the catalog
st = SentenceTransformer(EMB_MODEL, revision=EMB_REV)  # ok: pinned


def build():
    docs = DirectoryLoader("kb/", glob="**/*.md").load()  # ok: LangChain document loader
    chunks = RecursiveCharacterTextSplitter(chunk_size=800, chunk_overlap=80).split_documents(docs)
    store = FAISS.from_documents(chunks, embeddings)
    store.save_local(str(INDEX_DIR))  # ok: saving
    return store


def open_own_index():
    return FAISS.load_local(str(INDEX_DIR), embeddings)  # ok: default refuses pickles


def open_shared_index():
    return FAISS.load_local(  # expect: AML.T0011.000
        SHARED_INDEX,
        embeddings,
        allow_dangerous_deserialization=True,  # the shared one comes from another team
    )


def make_session(model_path, ext_path=None):
    opts = ort.SessionOptions()
    opts.register_custom_ops_library(ORT_EXT)  # ok: literal path in the repo
    if ext_path:
        opts.register_custom_ops_library(ext_path)  # expect: AML.T0011.000 non-literal native library
    return ort.InferenceSession(model_path, sess_options=opts, providers=["CPUExecutionProvider"])


def refresh_from_upload(upload_dir):
    files = [p for p in Path(upload_dir).glob("*.md")
    return build()


def search(query, k=4):
    store = open_own_index()
    hits = store.similarity_search(query, k=k)
    scores = reranker.predict([(query, h.page_content) for h in hits])
    return [h for _, h in sorted(zip(scores, hits), key=lambda t: -t[0])]


if __name__ == "__main__":
    build()
    print(search("how do I reset my password?"))
