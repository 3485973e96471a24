"""How models show themselves in a Jupyter notebook: a table of layers and parameters.

``module_html`` gives an MLP one row per layer (inputs, outputs, activation, parameter count) and
a total; a Layer or a Neuron is the same table with its one row; any other Module lists its
parameter count only. The nn package imports this module, which attaches the display to Module.
"""

from __future__ import annotations

import html

from nn.layers import MLP, Layer, Neuron
from nn.module import Module

_CELL = 'style="text-align: right;"'


def rows_of(model: Module) -> list[tuple[str, int, int, str, int]] | None:
    """(name, inputs, outputs, activation, parameters) per layer of an MLP, Layer or Neuron;
    None for any other Module."""
    if isinstance(model, Neuron):
        nin = len(model.w)
        return [(f"layer {model.layer}, unit {model.unit}", nin, 1, model.activation, nin + 1)]
    if isinstance(model, Layer):
        layers = [model]
    elif isinstance(model, MLP):
        layers = model.layers
    else:
        return None
    return [
        (f"layer {layer.layer}", layer.nin, layer.nout, layer.activation,
         (layer.nin + 1) * layer.nout)
        for layer in layers
    ]  # fmt: skip


def module_html(model: Module) -> str:
    """An HTML table of the model's layers and parameters (see the module's docstring)."""
    head = html.escape(repr(model))
    rows = rows_of(model)
    count = len(model.parameters())
    if rows is None:
        return f"<div><code>{head}</code>: {count:,} parameters</div>"
    body = "".join(
        f"<tr><td>{html.escape(name)}</td><td {_CELL}>{nin}</td><td {_CELL}>{nout}</td>"
        f"<td>{html.escape(activation)}</td><td {_CELL}>{params:,}</td></tr>"
        for name, nin, nout, activation, params in rows
    )
    return (
        '<table class="chainrule-model">'
        f'<caption style="text-align: left;"><code>{head}</code></caption>'
        "<thead><tr><th>layer</th><th>in</th><th>out</th><th>activation</th>"
        f"<th>parameters</th></tr></thead><tbody>{body}</tbody>"
        f'<tfoot><tr><td colspan="4"><b>total</b></td><td {_CELL}><b>{count:,}</b></td></tr>'
        "</tfoot></table>"
    )


# Attached here rather than written in nn/module.py, which nn/layers.py imports (a circle); the nn
# package imports this module, so every Module has it.
setattr(Module, "_repr_html_", module_html)  # noqa: B010 - a display hook, set from outside
