"""Data-analysis agent: asks the model for pandas code and runs it."""
import os
import subprocess

import pandas as pd
from openai import OpenAI

client = OpenAI(api_key=os.environ["OPENAI_API_KEY"])

SYSTEM = "You write a single pandas expression. Reply with code only."


def ask_for_filter(df: pd.DataFrame, question: str) -> pd.DataFrame:
    response = client.chat.completions.create(
        model="gpt-4o-mini",
        max_tokens=200,
        messages=[
            {"role": "system", "content": SYSTEM},
            {"role": "user", "content": f"Columns: {list(df.columns)}. {question}"},
        ],
    )
    message = response.choices[0].message
    raw = message.content
    expr = raw.strip().strip("`")
    return df.query(expr)


def ask_for_column(df: pd.DataFrame, question: str):
    resp = client.chat.completions.create(
        model="gpt-4o-mini",
        max_tokens=200,
        messages=[{"role": "user", "content": question}],
    )
    text = resp.choices[0].message.content
    formula = text.splitlines()[0]
    cleaned = formula.replace("python", "")
    return pd.eval(cleaned, local_dict={"df": df})


def run_analysis(df: pd.DataFrame, question: str):
    completion = client.chat.completions.create(
        model="gpt-4o-mini",
        max_tokens=500,
        messages=[{"role": "user", "content": question}],
    )
    answer = completion.choices[0].message.content
    code_block = answer.split("```")[1] if "```" in answer else answer
    program = code_block.removeprefix("python\n")
    scope = {"df": df, "pd": pd}
    exec(program, scope)
    return scope.get("result")


def repo_state_summary() -> str:
    status = subprocess.run(["git", "status", "--short"], capture_output=True, text=True)
    resp = client.chat.completions.create(
        model="gpt-4o-mini",
        max_tokens=300,
        messages=[{"role": "user", "content": "Summarise: " + status.stdout}],
    )
    return resp.choices[0].message.content
