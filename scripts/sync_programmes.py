"""Write the NLU data derived from the programme registry (bot/programmes.py): the `programme` lookup table
(nlu_data/lookups/programme.yml) and the programme words of the jieba dictionary (nlu_data/jieba/userdict.txt).

    .venvs/app/bin/python scripts/sync_programmes.py           # rewrite the files that differ
    .venvs/app/bin/python scripts/sync_programmes.py --check   # only report them (exit status 1 when any)

Run it after editing a programme's names, aliases or dictionary words, then retrain (make train). The work is
done by ``bot.programme_nlu``.
"""

from __future__ import annotations

import argparse
import sys

from bot.programme_nlu import sync


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="report files that differ, change nothing")
    args = parser.parse_args(argv)
    changed = sync(write=not args.check)
    for path in changed:
        print(f"{'differs' if args.check else 'written'}: {path}")
    if not changed:
        print("programme lookup table and jieba words match the registry")
    return 1 if args.check and changed else 0


if __name__ == "__main__":
    sys.exit(main())
