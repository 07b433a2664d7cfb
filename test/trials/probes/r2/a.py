from openai import OpenAI
client = OpenAI()
def ask(retriever, question):
    docs = retriever.invoke(question)
    context = "\n".join(d.page_content for d in docs)
    prompt = f"Answer using these documents:\n{context}\nQuestion: {question}"
    return client.chat.completions.create(model="m", max_tokens=5, messages=[{"role": "user", "content": prompt}])
