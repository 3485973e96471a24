"""Stepping through the backward pass in a debugger: pdb, or an IDE's breakpoint on the loop.

    python -m pdb docs/debugger_example.py
    (Pdb) b 25                  # the print(bstep) line below
    (Pdb) c                     # stops at each step; c again for the next one
    (Pdb) p bstep.node, W.grad
    (Pdb) pp bstep              # the node, its gradient g, one line per parent it passes g on to

At every stop each .grad holds its value before the pass plus what this pass has passed it so
far, so W.grad changes at the step whose text says ``W += ...``; after the last step every .grad
is what a.backward() leaves. The loop variable is ``bstep``, not ``step``: at the pdb prompt
``step.node`` would run pdb's own ``step`` command (so would ``s``, ``n``, ``c``, ``p``...).
In an IDE, put a breakpoint on the print line and watch ``bstep`` and ``W.grad``.
"""

from engine import Value

x = Value(2.0, label="x")
W = Value(-3.0, label="W")
b = Value(6.88, label="b")
a = (W * x + b).tanh()
a.label = "a"

for bstep in a.backward_steps():
    print(bstep)

print(f"dA/dW = {W.grad:.6f}  dA/dx = {x.grad:.6f}  dA/db = {b.grad:.6f}")
