"""
SGD, momentum and Adam on a loss surface
========================================

torch's optimizers (the ones ``vizdl.train`` uses) from one starting point on the elongated
bowl ``l = (θ₁² + 10 θ₂²) / 2``: SGD zig-zags across the valley, momentum overshoots and
circles, Adam moves both coordinates at the same pace.
"""
import vizdl
from vizdl import figures

with vizdl.styles.use("slides"):
    ax = figures.optimizer_paths(optimizers={"sgd": 0.18, "momentum": 0.03, "adam": 0.3})
ax.figure
