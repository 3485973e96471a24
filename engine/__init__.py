"""chainrule's engine: scalar reverse-mode autograd you can read, step through and draw.

from engine import Value
x = Value(2.0, label="x")
y = (x * x + 1).tanh()
y.backward()          # x.grad == d y / d x
"""

from engine.anomaly import detect_anomaly
from engine.compiler import compile as compile  # not in __all__: * keeps the builtin
from engine.fused import linear, total
from engine.gradcheck import GradCheck, gradcheck
from engine.graph import (
    BackwardStep,
    Contribution,
    Path,
    backward_steps,
    count_paths,
    gc_paused,
    iter_paths,
    paths,
    topo_order,
)
from engine.higher import grad, hessian, hvp
from engine.render import (
    DotNotFoundError,
    NodeStyle,
    RenderOptions,
    explore,
    render,
    render_steps,
    to_dot,
)
from engine.value import Value

__all__ = [
    "BackwardStep",
    "DotNotFoundError",
    "NodeStyle",
    "RenderOptions",
    "Contribution",
    "GradCheck",
    "Path",
    "Value",
    "backward_steps",
    "count_paths",
    "detect_anomaly",
    "explore",
    "gc_paused",
    "grad",
    "gradcheck",
    "hessian",
    "hvp",
    "iter_paths",
    "linear",
    "paths",
    "render",
    "render_steps",
    "to_dot",
    "topo_order",
    "total",
]
