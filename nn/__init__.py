"""chainrule's neural-network layer: modules, losses, optimizers and training, built from Values."""

from nn.activations import ACTIVATIONS
from nn.layers import MLP, Layer, Neuron
from nn.losses import LOSSES, binary_cross_entropy, get_loss, hinge, mse
from nn.module import Module

__all__ = [
    "ACTIVATIONS",
    "LOSSES",
    "MLP",
    "Layer",
    "Module",
    "Neuron",
    "binary_cross_entropy",
    "get_loss",
    "hinge",
    "mse",
]
