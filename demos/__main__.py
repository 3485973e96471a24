"""python -m demos [--out DIR]: run every demo in turn; exit non-zero if any of them fails.

Every demo module has ``main(argv) -> int`` and accepts ``--out DIR`` for the files it writes.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from demos import DEMOS


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default="out", help="where demos write their pictures")
    args = parser.parse_args()
    failed = []
    for name in DEMOS:
        print(f"\n{'=' * 30} demos.{name} {'=' * (60 - len(name))}\n", flush=True)
        code = importlib.import_module(f"demos.{name}").main(["--out", args.out])
        if code:
            failed.append(name)
    print(f"\n{len(DEMOS) - len(failed)} of {len(DEMOS)} demos passed", end="")
    print(f"; failed: {', '.join(failed)}" if failed else "")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
