import subprocess


def test_constant_eval():
    assert eval("1 + 2") == 3


def test_git_available():
    result = subprocess.run(["git", "status"], capture_output=True)
    assert result.returncode == 0
