"""Training with recording: :func:`train` and the techniques of the lecture notes."""
from vizdl.training.loop import TrainingDiverged, evaluate, train
from vizdl.training.options import (
    AUGMENTATIONS,
    INITS,
    OPTIMIZERS,
    SCHEDULES,
    EarlyStopping,
    resolve_device,
)

__all__ = ["AUGMENTATIONS", "INITS", "OPTIMIZERS", "SCHEDULES", "EarlyStopping",
           "TrainingDiverged", "evaluate", "resolve_device", "train"]
