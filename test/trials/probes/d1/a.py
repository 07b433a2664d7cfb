import pandas as pd
from openai import OpenAI
client = OpenAI()
def f(q):
    df = pd.read_csv("x.csv")
    response = client.chat.completions.create(model="m", max_tokens=5, messages=[])
    expr = response.choices[0].message.content
    return df.query(expr)
