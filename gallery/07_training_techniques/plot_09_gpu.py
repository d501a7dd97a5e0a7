"""
GPU acceleration
================

Forward and backward time of one batch, measured here on every device torch can use (the
CPU alone, with a note, on a machine without a GPU).
"""
import vizdl
from vizdl import figures, ops

data = vizdl.data.load("digits")
model = vizdl.models.build("cifar_cnn", data=data)
timings = ops.time_passes(model, data.x_train[:256], data.y_train[:256], repeats=10)
with vizdl.styles.use("slides"):
    ax = figures.device_timing(timings, source="Model 2 (CNN), batch of 256 digits")
ax.figure
