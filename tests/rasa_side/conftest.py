import pytest

pytest.importorskip("rasa", reason="Rasa-side tests run in the Rasa venv (scripts/test.sh does)")
