"""Build and reload the FAISS index behind the support chatbot."""
from pathlib import Path

from langchain_community.embeddings import HuggingFaceEmbeddings
from langchain_community.vectorstores import FAISS

INDEX_DIR = Path("./indexes/support-kb")
EMBED_MODEL_DIR = "./models/bge-small-en"


def embeddings():
    return HuggingFaceEmbeddings(model_name=EMBED_MODEL_DIR)  # ok


def build(docs):
    store = FAISS.from_documents(docs, embeddings())
    store.save_local(str(INDEX_DIR))  # ok
    return store


def reload():
    return FAISS.load_local(  # expect: AML.T0011.000
        str(INDEX_DIR),
        embeddings(),
        allow_dangerous_deserialization=True,
    )


def reload_strict():
    return FAISS.load_local(str(INDEX_DIR), embeddings())  # ok


def reload_flagged(trusted: bool):
    return FAISS.load_local(str(INDEX_DIR), embeddings(), allow_dangerous_deserialization=trusted)  # maybe: non-literal flag
