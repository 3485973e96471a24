"""PyTorch export: an MLP as an equivalent float64 ``torch.nn.Sequential``; torch loaded lazily."""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.rules import RULES, Rule

if TYPE_CHECKING:
    import torch

    from nn.layers import MLP

# PyTorch module class per activation; None adds no module ('linear' is the identity).
TORCH_ACTIVATIONS: dict[str, str | None] = {
    **{
        op: rule.torch_module
        for op, rule in RULES.items()
        if isinstance(rule, Rule) and rule.torch_module is not None
    },
    "linear": None,
}


def to_torch(mlp: MLP) -> torch.nn.Sequential:
    """``nn.to_torch``: an equivalent ``torch.nn.Sequential`` in float64, a Linear per layer, then
    its activation. This module imports no layer, so ``MLP.to_torch`` can call it.

    Weights are found by structure, never by label: row j, column k of layer i's Linear weight is
    ``layers.i.neurons.j.w.k`` and bias entry j is ``layers.i.neurons.j.b``, so the two models
    compute the same function with the same numbers. ImportError with an install hint if torch
    is missing.
    """
    try:
        import torch
    except ImportError as e:
        raise ImportError(
            "nn.to_torch() needs PyTorch, which is not installed; install it with "
            "'pip install torch'"
        ) from e
    modules: list[torch.nn.Module] = []
    for layer in mlp.layers:
        linear = torch.nn.Linear(layer.nin, layer.nout, dtype=torch.float64)
        weights = [[w.data for w in n.w] for n in layer.neurons]
        biases = [n.b.data for n in layer.neurons]
        with torch.no_grad():
            linear.weight.copy_(torch.tensor(weights, dtype=torch.float64))
            linear.bias.copy_(torch.tensor(biases, dtype=torch.float64))
        modules.append(linear)
        if layer.activation not in TORCH_ACTIVATIONS:
            raise ValueError(f"to_torch: no PyTorch module for activation {layer.activation!r}")
        name = TORCH_ACTIVATIONS[layer.activation]
        if name is not None:
            modules.append(getattr(torch.nn, name)())
    return torch.nn.Sequential(*modules)
