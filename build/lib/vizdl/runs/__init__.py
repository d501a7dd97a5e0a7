"""The run directory: the contract between training and pictures."""
from vizdl.runs.format import FORMAT, RunFormatError
from vizdl.runs.reader import Run, StepNotRecordedError
from vizdl.runs.writer import RunWriter

__all__ = ["FORMAT", "Run", "RunFormatError", "RunWriter", "StepNotRecordedError"]
