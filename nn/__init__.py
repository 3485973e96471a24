"""chainrule's neural-network layer: modules, losses, optimizers and training, built from Values."""

from nn import notebook as _notebook  # noqa: F401 - attaches the notebook displays
from nn.activations import ACTIVATIONS
from nn.data import batches, make_circles, make_moons, make_spiral, train_test_split
from nn.diagnostics import DeadUnits, dead_units
from nn.graph_view import graph_view
from nn.layers import MLP, Layer, Neuron, load, seed_name
from nn.losses import (
    LOSSES,
    binary_cross_entropy,
    cross_entropy,
    get_loss,
    hinge,
    log_softmax,
    mse,
    softmax,
)
from nn.model_file import save
from nn.module import Module
from nn.optim import SGD, Adam, Adamax, Optimizer
from nn.page import training_page
from nn.torch_export import to_torch
from nn.train import History, evaluate, fit, predict

__all__ = [
    "ACTIVATIONS",
    "LOSSES",
    "MLP",
    "SGD",
    "Adam",
    "Adamax",
    "DeadUnits",
    "History",
    "Layer",
    "Module",
    "Neuron",
    "Optimizer",
    "batches",
    "binary_cross_entropy",
    "cross_entropy",
    "dead_units",
    "evaluate",
    "fit",
    "get_loss",
    "graph_view",
    "hinge",
    "load",
    "log_softmax",
    "make_circles",
    "make_moons",
    "make_spiral",
    "mse",
    "predict",
    "save",
    "seed_name",
    "softmax",
    "to_torch",
    "train_test_split",
    "training_page",
]
