"""Outputs: what a model with several output units returns, a list of Values, one per output.

It is a real list (indexing, len, iteration, equality with lists, passing it to another model
all work as for a list); it only adds clear errors where a single Value was expected: calling
``.backward()`` (or reading ``.data``, ``.grad``...) on it says what to do instead.
"""

from __future__ import annotations

# Value attributes someone may reach for on a model's outputs, expecting a single Value.
_VALUE_ATTRIBUTES = frozenset(
    ("backward", "backward_steps", "data", "grad", "item", "label", "op", "parents", "tanh",
     "relu", "sigmoid", "exp", "log", "sin", "cos", "abs", "sqrt", "softplus", "leaky_relu",
     "elu", "gelu", "silu")
)  # fmt: skip


class Outputs(list):
    """A model's outputs, one Value per output unit, in unit order."""

    __slots__ = ()
    kind_shown = "list"  # what error messages call it (nn.checks.describe)

    def __getattr__(self, name: str) -> object:
        if name in _VALUE_ATTRIBUTES:
            what = "call" if name.startswith("backward") else "read"
            raise AttributeError(
                f"a model with several outputs returns a list of Values, one per output "
                f"({len(self)} here), and a list has no .{name}: pick one output "
                f"(outputs[0].{name}), or combine them into one Value first, e.g. "
                f"sum(outputs).backward() or a loss such as nn.mse(outputs, targets), "
                f"then {what} .{name} on that"
            )
        raise AttributeError(f"'Outputs' (a list) object has no attribute {name!r}")
