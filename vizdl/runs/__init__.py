"""The run directory: the contract between training and pictures."""
from vizdl.runs.format import FORMAT, RunFormatError
from vizdl.runs.lock import RunExistsError, RunInUseError
from vizdl.runs.reader import Run
from vizdl.runs.snapshots import StepNotRecordedError
from vizdl.runs.storage import Storage
from vizdl.runs.writer import RunWriter

__all__ = ["FORMAT", "Run", "RunExistsError", "RunFormatError", "RunInUseError", "RunWriter", "StepNotRecordedError", "Storage"]
