"""NLU evaluation and benchmark: the library behind ``scripts/evaluate_nlu.py``, ``scripts/bench_nlu.py`` and
``scripts/check_nlu_file.py`` (docs/nlu_evaluation.md).

Modules, by concern:

- ``data``: labelled examples, entities, predictions; de-duplication and the content order of examples;
- ``split``: the fixed stratified hold-out split (keyed by example text, independent of file layout and order);
- ``metrics``: intent and entity scores;
- ``pipelines``: the compared pipelines: the project's, the no-jieba baseline derived from it, TF-IDF + LR;
- ``checks``: the targets of the NLU issue, evaluated on a finished report;
- ``report``: the JSON/Markdown report and the printed summary;
- ``provenance``: which commit and files the figures belong to;
- ``rasa_nlu``: reading and writing Rasa NLU YAML, training NLU models and parsing with them;
- ``evaluate``: one evaluation run (hold-out split, baselines, external test files);
- ``bench``: training time, load time, parse latency and memory of the full model;
- ``filecheck``: checks of new training files against the extractor and the rest of the data.

Every module imports in both virtualenvs without pulling in Rasa, TensorFlow or scikit-learn: those are imported
only inside the functions that run them (the Rasa/app boundary), so the pure parts are tested in the app venv
(tests/nlu) and the parts that run Rasa in the Rasa venv (tests/rasa_side).
"""
