"""Security invariants that hold for the whole code base (checked on the source itself)."""

from __future__ import annotations

import ast
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from tqcheck.config import Config, from_mapping
from tqcheck.errors import ConfigError

SRC = Path(__file__).resolve().parent.parent / "src" / "tqcheck"


def _calls(tree: ast.AST) -> list[ast.Call]:
    return [n for n in ast.walk(tree) if isinstance(n, ast.Call)]


def test_no_shell_is_ever_invoked() -> None:
    for path in SRC.rglob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        for call in _calls(tree):
            for kw in call.keywords:
                if kw.arg == "shell":
                    assert isinstance(kw.value, ast.Constant) and kw.value.value is False, f"{path}: shell=True"
            func = call.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            assert name not in {"system", "popen", "getoutput", "getstatusoutput"}, f"{path}: os.{name}"


def test_remote_code_is_never_trusted_and_models_load_from_safetensors() -> None:
    for path in SRC.rglob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        for call in _calls(tree):
            for kw in call.keywords:
                if kw.arg == "trust_remote_code":
                    assert isinstance(kw.value, ast.Constant) and kw.value.value is False, path
            func = call.func
            if isinstance(func, ast.Attribute) and func.attr == "from_pretrained":
                names = {kw.arg for kw in call.keywords}
                # model loads must insist on safetensors; tokenizer loads carry no weights
                owner = ast.unparse(func.value)
                if "Tokenizer" not in owner and "tokenizer" not in owner.lower() and "Config" not in owner:
                    assert "use_safetensors" in names, f"{path}:{call.lineno}: {owner}.from_pretrained"


def test_no_eval_or_pickle_of_user_data() -> None:
    for path in SRC.rglob("*.py"):
        text = path.read_text("utf-8")
        tree = ast.parse(text)
        for call in _calls(tree):
            func = call.func
            name = func.id if isinstance(func, ast.Name) else ""
            assert name not in {"eval", "exec"}, f"{path}:{call.lineno}: {name}"
        assert "import pickle" not in text and "pickle.load" not in text, path


_values = st.one_of(st.none(), st.booleans(), st.integers(-5, 500), st.floats(allow_nan=True),
                    st.text(max_size=8), st.lists(st.text(max_size=5), max_size=3),
                    st.dictionaries(st.text(max_size=5), st.one_of(st.text(max_size=5), st.integers()), max_size=3))
_keys = st.one_of(st.sampled_from(sorted(f for f in Config.__dataclass_fields__ if f != "config_path")),
                  st.text(max_size=12))


@given(st.dictionaries(_keys, _values, max_size=6))
def test_config_parser_accepts_or_names_the_problem(data: dict) -> None:
    try:
        cfg = from_mapping(data, "tqcheck.toml")
    except ConfigError as exc:
        assert str(exc).startswith("tqcheck.toml: ")
    else:
        assert isinstance(cfg, Config)
