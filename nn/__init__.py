"""chainrule's neural-network layer: modules, losses, optimizers and training, built from Values."""
