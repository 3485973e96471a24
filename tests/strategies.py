"""Random graphs for every random-graph test, made from the one op table (``engine.rules.RULES``).

A program is a list of instructions ``(op, operands, params)``: the rule's key, one entry per
operand (an earlier node's index, or ``("const", c)`` for a plain number), and the rule's params by
name. The same program builds a graph of Values, of PyTorch tensors (through each rule's ``torch``
formula) or plain floats, so a new op in the table enters every random-graph test by itself.
"""

from __future__ import annotations

import math
import operator
import random
from collections.abc import Callable, Sequence

from hypothesis import strategies as st

import engine
from engine import Value
from engine.rules import RULES, Rule, SumRule, evaluate

Instruction = tuple[str, tuple[object, ...], dict[str, float]]

OPS = sorted(RULES)
_OPERATORS: dict[str, Callable] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
    "**": operator.pow,
}
# Plain numbers each rule param is drawn from; a param not listed takes one of DEFAULT_PARAMS.
PARAMS = {"k": (2.0, 3.0, 0.5, -1.0, 1.5, -2.0), "low": (-1.0, -0.25), "high": (0.5, 1.0)}
DEFAULT_PARAMS = (0.1, 1.0)
CONSTANTS = (-1.5, 0.5, 2.0)


def random_program(
    rng: random.Random,
    inputs: Sequence[float],
    n_nodes: int,
    ops: Sequence[str] = OPS,
    smooth: bool = False,
    limit: float = 1e6,
) -> list[Instruction]:
    """Up to ``n_nodes`` instructions over ``inputs``, each kept only where it is defined and
    finite (|value| < limit), with finite local derivatives, at these inputs; with ``smooth``,
    also only away from a kink (relu at 0, clip's bounds: where the local derivative jumps), so
    finite differences can see it. (Non-finite values and slopes have tests of their own: a NaN
    slope times relu's 0 is NaN here and 0 in PyTorch, a documented difference.)"""
    values = [Value(x) for x in inputs]
    program: list[Instruction] = []
    for _ in range(n_nodes):
        op = rng.choice(list(ops))
        rule = RULES[op]
        operands: list[object] = []
        if isinstance(rule, SumRule):
            n_terms = rng.randint(1, 3)
            count = (rule.start is not None) + n_terms * len(rule.term)
            for _ in range(count):
                operands.append(_operand(rng, len(values), constant_chance=0.2))
            if all(isinstance(o, tuple) for o in operands):  # at least one Value operand
                operands[-1] = rng.randrange(len(values))
        else:
            for _ in rule.operands:
                operands.append(_operand(rng, len(values), constant_chance=0.15))
            if all(isinstance(o, tuple) for o in operands):  # at least one Value operand
                operands[0] = rng.randrange(len(values))
            if op == "**k" or (op == "**" and isinstance(operands[1], tuple)):
                op, operands = "**k", operands[:1]
                if isinstance(operands[0], tuple):
                    operands[0] = rng.randrange(len(values))
        rule = RULES[op]
        params = {p: rng.choice(PARAMS.get(p, DEFAULT_PARAMS)) for p in rule.params}
        instruction: Instruction = (op, tuple(operands), params)
        try:
            v = apply(instruction, values, "value")
        except (ArithmeticError, ValueError):
            continue
        if not (math.isfinite(v.data) and abs(v.data) < limit):
            continue
        if not all(map(math.isfinite, v.local_grads)):
            continue
        if smooth and not _smooth_here(instruction, values):
            continue
        values.append(v)
        program.append(instruction)
    return program


def _operand(rng: random.Random, n: int, constant_chance: float) -> object:
    if rng.random() < constant_chance:
        return ("const", rng.choice(CONSTANTS))
    return rng.randrange(n)


def _smooth_here(instruction: Instruction, values: list[Value], h: float = 1e-3) -> bool:
    """The instruction's local derivatives change little when each Value operand moves by ±h."""
    op, operands, params = instruction
    rule = RULES[op]
    if not isinstance(rule, Rule):
        return True
    args = {n: _number(o, values) for n, o in zip(rule.operands, operands)}
    try:
        _, grads = evaluate(rule, {**args, **params})
        for name in rule.operands:
            for delta in (-h, h):
                _, moved = evaluate(rule, {**args, name: args[name] + delta, **params})
                if any(abs(m - g) > 0.05 * (1.0 + abs(g)) for m, g in zip(moved, grads)):
                    return False
    except (ArithmeticError, ValueError):
        return False
    return True


def _number(operand: object, values: list[Value]) -> float:
    return operand[1] if isinstance(operand, tuple) else values[operand].data  # type: ignore[index]


def apply(instruction: Instruction, nodes: list, kind: str) -> object:
    """One instruction on earlier ``nodes``: Values ('value'), float64 tensors ('torch') or floats
    ('float')."""
    op, operands, params = instruction
    rule = RULES[op]
    args = [o[1] if isinstance(o, tuple) else nodes[o] for o in operands]  # type: ignore[index]
    if kind == "torch":
        return _torch_apply(rule, args, params)
    if kind == "float":
        return _float_apply(rule, args, params)
    if isinstance(rule, SumRule):
        if op == "linear":
            b, rest = args[0], args[1:]
            return engine.linear(rest[0::2], rest[1::2], b)
        return engine.total(args)
    if op in _OPERATORS:
        return _OPERATORS[op](*args)
    if op == "**k":
        return args[0] ** params["k"]
    if op == "neg":
        return -args[0]
    return getattr(args[0], op)(*(params[p] for p in rule.params))


def _float_apply(rule: Rule | SumRule, args: list, params: dict[str, float]) -> float:
    if isinstance(rule, SumRule):
        acc = args[0] if rule.start is not None else 0.0
        rest = args[1:] if rule.start is not None else args
        width = len(rule.term)
        for k in range(0, len(rest), width):
            term = Rule(rule.op, rule.term, rule.term_forward, rule.term_grads)
            acc += evaluate(term, dict(zip(rule.term, rest[k : k + width])))[0]
        return acc
    return evaluate(rule, {**dict(zip(rule.operands, args)), **params})[0]


def _torch_apply(rule: Rule | SumRule, args: list, params: dict[str, float]):
    import torch

    as_tensor = [a if torch.is_tensor(a) else torch.tensor(a, dtype=torch.float64) for a in args]
    scope: dict[str, object] = {"torch": torch, "F": torch.nn.functional, **params}
    if isinstance(rule, SumRule):
        # Term by term, left to right (rule.torch's stack-and-sum would let PyTorch hand its
        # leaves gradients that share memory, and a later leaf backward then writes into both).
        width = len(rule.term)
        acc = as_tensor[0] if rule.start is not None else torch.tensor(0.0, dtype=torch.float64)
        rest = as_tensor[1:] if rule.start is not None else as_tensor
        for k in range(0, len(rest), width):
            acc = acc + eval(
                rule.term_forward, {**scope, **dict(zip(rule.term, rest[k : k + width]))}
            )  # noqa: S307
        return acc
    scope.update(zip(rule.operands, as_tensor))
    return eval(rule.torch, scope)  # noqa: S307 - the table's own formulas


def build(program: Sequence[Instruction], leaves: Sequence, kind: str = "value") -> list:
    """Every node of the program, leaves first, built as ``kind`` (see ``apply``)."""
    nodes = list(leaves)
    for instruction in program:
        nodes.append(apply(instruction, nodes, kind))
    return nodes


@st.composite
def programs(
    draw: st.DrawFn,
    max_inputs: int = 4,
    max_nodes: int = 12,
    ops: Sequence[str] = OPS,
    smooth: bool = False,
    limit: float = 1e6,
) -> tuple[list[float], list[Instruction]]:
    """(inputs, program): a few inputs in [-2, 2] and a random program over them (see
    ``random_program`` for ``smooth`` and ``limit``)."""
    n_inputs = draw(st.integers(1, max_inputs))
    inputs = [
        draw(st.floats(-2.0, 2.0, allow_subnormal=False).filter(lambda v: abs(v) > 0.1))
        for _ in range(n_inputs)
    ]
    rng = draw(st.randoms(use_true_random=False))
    n_nodes = draw(st.integers(1, max_nodes))
    return inputs, random_program(rng, inputs, n_nodes, ops=ops, smooth=smooth, limit=limit)
