"""Recording what happens inside a network: :class:`Recorder` and :class:`RecordSpec`.

This package never imports matplotlib or manim.
"""
from vizdl.record.hooks import hook_count
from vizdl.record.recorder import Recorder
from vizdl.record.spec import RecordSpec

__all__ = ["RecordSpec", "Recorder", "hook_count"]
