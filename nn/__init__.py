"""chainrule's neural-network layer: modules, losses, optimizers and training, built from Values."""

from nn.activations import ACTIVATIONS
from nn.data import batches, make_circles, make_moons, make_spiral, train_test_split
from nn.diagnostics import DeadUnits, dead_units
from nn.graph_view import graph_view
from nn.layers import MLP, Layer, Neuron, seed_name
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
from nn.module import Module
from nn.optim import SGD, Adam, Adamax, Optimizer
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
    "log_softmax",
    "make_circles",
    "make_moons",
    "make_spiral",
    "mse",
    "predict",
    "seed_name",
    "softmax",
    "train_test_split",
]
