from openai import OpenAI
from langchain_community.vectorstores import FAISS
client = OpenAI()
def ask(store, question):
    docs = store.similarity_search(question, k=4)
    context = "\n".join(d.page_content for d in docs)
    prompt = "Answer using these documents:\n" + context + "\nQuestion: " + question
    return client.chat.completions.create(model="m", max_tokens=5, messages=[{"role": "user", "content": prompt}])
