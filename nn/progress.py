"""Progress of ``fit(verbose=True)``: a bar on a terminal, a widget or text lines in a notebook.

  on a terminal                 tqdm's text bar over epochs (as before: off when stderr is not a
                                terminal, e.g. output piped to a file, so logs stay clean)
  in Jupyter with ipywidgets    tqdm's notebook front end (a widget bar)
  in Jupyter without it         one printed line per epoch with its metrics

tqdm and IPython are never imported here unless in use: nn works without either.
"""

from __future__ import annotations

import importlib.util
import sys
from typing import Protocol


class Progress(Protocol):
    def update(self, metrics: dict[str, str]) -> None: ...

    def close(self) -> None: ...


def in_notebook() -> bool:
    """True inside a Jupyter kernel (IPython under ipykernel), where stderr is no terminal but the
    output is shown to a reader. IPython is consulted only if something imported it already."""
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    shell = ipython.get_ipython()
    if shell is None:
        return False
    return type(shell).__name__ == "ZMQInteractiveShell" or "IPKernelApp" in shell.config


def widgets_available() -> bool:
    """True when ipywidgets is installed (tqdm's notebook front end draws with it)."""
    return importlib.util.find_spec("ipywidgets") is not None


class TextProgress:
    """One line per epoch on stdout: ``epoch 3/10: loss 0.4321, acc 0.8800``."""

    def __init__(self, epochs: int) -> None:
        self.epochs, self.epoch = epochs, 0

    def update(self, metrics: dict[str, str]) -> None:
        self.epoch += 1
        shown = ", ".join(f"{key} {value}" for key, value in metrics.items())
        print(f"epoch {self.epoch}/{self.epochs}: {shown}", flush=True)

    def close(self) -> None:
        pass


class BarProgress:
    """A tqdm bar (terminal or notebook front end), its postfix the latest metrics."""

    def __init__(self, bar) -> None:
        self.bar = bar

    def update(self, metrics: dict[str, str]) -> None:
        self.bar.set_postfix(metrics, refresh=False)
        self.bar.update()

    def close(self) -> None:
        self.bar.close()


def open_progress(epochs: int, verbose: bool) -> Progress | None:
    """The progress display for ``fit``, or None when nothing is to be shown (see the module)."""
    if not verbose:
        return None
    if in_notebook():
        if widgets_available():
            try:
                from tqdm.notebook import tqdm as notebook_tqdm

                return BarProgress(notebook_tqdm(total=epochs, unit="epoch"))
            except ImportError:  # tqdm missing, or an ipywidgets too old for its front end
                pass
        return TextProgress(epochs)
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    bar = tqdm(total=epochs, unit="epoch", disable=None)  # disable=None: off when not a terminal
    return None if bar.disable else BarProgress(bar)
