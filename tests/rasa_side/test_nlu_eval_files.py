"""bot.nlu_eval's Rasa side: reading and writing Rasa NLU YAML, and a split that ignores the file layout."""

from pathlib import Path

from bot.nlu_eval.data import Entity, Example
from bot.nlu_eval.evaluate import EvalOptions, load_examples, write_split
from bot.nlu_eval.rasa_nlu import examples_from, load_training_data, write_split_file

GREET = ["你好", "在吗", "早上好", "哈喽", "有人没"]
INFORM = [
    '住在[接官亭]{"entity": "town", "value": "接官亭镇"}',
    '[两千五]{"entity": "amount", "value": "2500"}',
    "不晓得",
    "我屋头三个人",
    "没得存款",
]


def _nlu_file(path: Path, blocks: dict[str, list[str]], extra: str = "") -> None:
    lines = ['version: "3.1"', "nlu:"]
    for intent, examples in blocks.items():
        lines += [f"- intent: {intent}", "  examples: |"] + [f"    - {e}" for e in examples]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n" + extra, encoding="utf-8")


REGEX = "- regex: case_no\n  examples: |\n    - LY\\d{4}[A-Z]{2}\\d{5}\n"


def test_examples_survive_a_write_and_read(tmp_path):
    examples = [
        Example("住在接官亭", "inform", (Entity("town", 2, 5, "接官亭镇"),)),
        Example("你好", "greet"),
    ]
    path = tmp_path / "x.yml"
    write_split_file(path, examples, None)
    assert examples_from(load_training_data([path])) == examples


def test_the_split_files_do_not_depend_on_file_names_or_order(tmp_path):
    by_intent = tmp_path / "by_intent" / "nlu"
    _nlu_file(by_intent / "greet.yml", {"greet": GREET})
    _nlu_file(by_intent / "inform.yml", {"inform": INFORM}, REGEX)
    by_round = tmp_path / "by_round" / "nlu"
    _nlu_file(by_round / "a_round1.yml", {"inform": INFORM[3:], "greet": GREET[::-2]})
    _nlu_file(by_round / "b_round2.yml", {"greet": GREET[-2::-2], "inform": INFORM[2::-1]}, REGEX)

    written = []
    for name in ("by_intent", "by_round"):
        files, data, examples, conflicts = load_examples(tmp_path / name)
        assert len(examples) == 10 and conflicts == []
        options = EvalOptions(out=tmp_path / f"out_{name}", holdout=0.2)
        train, test, train_file, test_file = write_split(options, examples, data)
        assert (len(train), len(test)) == (8, 2)
        written.append((train_file.read_bytes(), test_file.read_bytes()))
    assert written[0] == written[1]
    assert b"regex: case_no" in written[0][0]
