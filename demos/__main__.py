"""python -m demos [--out DIR]: run every demo in turn, then write the gallery DIR/index.html;
exit non-zero if any demo fails or a gallery picture is missing.

Every demo module has ``main(argv) -> int`` and accepts ``--out DIR`` for the files it writes.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from demos import DEMOS, gallery


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
    gallery_failed = gallery.main(["--out", args.out])
    return 1 if failed or gallery_failed else 0


if __name__ == "__main__":
    sys.exit(main())
