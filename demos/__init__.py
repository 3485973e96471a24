"""Runnable demos: each reproduces a derivation and checks autograd against its formulas.

Run one with ``python -m demos.<name>``, or all of them with ``python -m demos``.
"""

# The order python -m demos runs them in.
DEMOS = [
    "walkthrough",
    "perceptron",
    "two_layer_mse",
    "two_layer_bce",
    "four_layer",
    "circles",
    "second_order",
    "spiral",
]
