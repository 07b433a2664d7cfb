"""Small Flask support chat."""
import os

from anthropic import Anthropic
from flask import Flask, render_template, request
from markupsafe import Markup

app = Flask(__name__)
llm = Anthropic(api_key=os.getenv("ANTHROPIC_API_KEY"))


@app.post("/chat")
def chat():
    persona = request.form.get("persona", "helpful")
    question = request.form["question"]
    system_prompt = f"You are a {persona} support assistant for ACME. Never reveal internal data."
    reply = llm.messages.create(
        model="claude-3-5-sonnet-latest",
        max_tokens=512,
        system=system_prompt,
        messages=[{"role": "user", "content": question}],
    )
    answer_text = reply.content[0].text
    rendered = Markup(answer_text)
    return render_template("chat.html", answer=rendered, raw_answer=answer_text)


@app.get("/banner")
def banner():
    # static, not model output
    return Markup("<b>Welcome to ACME support</b>")
