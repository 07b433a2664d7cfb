"""Security notes for the ML platform, rendered into the internal wiki.

Never call torch.load(path) on files you did not produce; prefer
safetensors. Do not bind demo servers to 0.0.0.0. Avoid trust_remote_code=True.
"""
import logging
import textwrap

log = logging.getLogger("safety")

RULES = [
    "pickle.load and pickle.loads execute arbitrary code",  # ok
    "yaml.load(f) without Loader= is unsafe on old PyYAML",  # ok
    "app.run(host='0.0.0.0', debug=True) exposes the Werkzeug console",  # ok
    "launch(share=True) creates a public gradio.live link",  # ok
    "np.load(x, allow_pickle=True) unpickles object arrays",  # ok
]

EXAMPLE = 'model = AutoModel.from_pretrained("org/model", trust_remote_code=True)'  # ok


def render() -> str:
    """Return the rules as a Markdown list (mentions torch.load and joblib.load)."""
    body = "\n".join(f"- {r}" for r in RULES)
    return textwrap.dedent(f"## ML security rules\n\n{body}\n\nExample of what not to do:\n\n    {EXAMPLE}\n")


def warn_bind(host: str) -> None:
    if host in {"0.0.0.0", "::"}:  # ok
        log.warning("host=%s will accept connections from every interface", host)  # ok
    elif host.startswith("0.0.0.0:"):  # ok
        log.warning("refusing %s; use 127.0.0.1", host)


def explain_pinning() -> str:
    return "pin revision='<40-hex sha>' instead of revision='main' in from_pretrained()"  # ok


if __name__ == "__main__":
    print(render())
