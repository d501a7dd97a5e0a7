"""What a picture says about the run it shows: the model, the data, the task, the class names.

Titles say what data and model a picture shows ("Feature maps of cifar_cnn trained on
digits (1×8×8 images), step 100"), never just a layer or a model name. Everything comes
from ``run.json``; this module imports NumPy only.

>>> context = RunContext("cifar_cnn", "digits", "", ("0", "1"), (1, 8, 8))
>>> context.source(), context.class_name(1)
('cifar_cnn trained on digits (1×8×8 images)', '1')
>>> RunContext("tiny_transformer", "sequences", "contains", ("no 0", "has a 0"), (8,)).source()
"tiny_transformer trained on sequences (task 'contains', 8 tokens)"
"""
from __future__ import annotations

from dataclasses import dataclass

TIMES = "\u00d7"


@dataclass(frozen=True)
class RunContext:
    """The model, data and classes of a run, as a picture names them.

    Attributes
    ----------
    model : str
        The model's name (``"the model"`` when the run does not say).
    dataset : str
        The dataset's name (``""`` when unknown).
    task : str
        The sequence task (``"contains"``...) or ``""``.
    classes : tuple of str
        Class names (empty when unknown).
    input_shape : tuple of int
    """

    model: str
    dataset: str
    task: str = ""
    classes: tuple = ()
    input_shape: tuple = ()

    def source(self) -> str:
        """``"<model> trained on <data> (<what one input is>)"``."""
        if not self.dataset:
            return self.model
        return f"{self.model} trained on {self.dataset}{self._input_words()}"

    def _input_words(self) -> str:
        shape = tuple(self.input_shape)
        if self.task:
            return f" (task '{self.task}', {shape[0]} tokens)" if len(shape) == 1 else f" (task '{self.task}')"
        if len(shape) == 3:
            return f" ({TIMES.join(str(s) for s in shape)} images)"
        if len(shape) == 1:
            return f" ({shape[0]} features)"
        return ""

    def class_name(self, index) -> str:
        """Name of class ``index`` (its number when the run has no names)."""
        index = int(index)
        return str(self.classes[index]) if 0 <= index < len(self.classes) else str(index)

    def task_sentence(self) -> str:
        """``"Task: label = 1 if token 0 occurs ..."`` for a sequence task, else ``""``."""
        from vizdl.data.sequences import DESCRIPTIONS

        return f"Task '{self.task}': {DESCRIPTIONS[self.task]}." if self.task in DESCRIPTIONS else ""


def run_context(run) -> RunContext:
    """The :class:`RunContext` of a :class:`vizdl.Run` (from its ``run.json``)."""
    model = run.meta.get("model") or {}
    dataset = run.meta.get("dataset") or {}
    params = dataset.get("params") or {}
    return RunContext(str(model.get("name") or model.get("class") or "the model"), str(dataset.get("name") or ""),
                      str(params.get("task") or ""), tuple(str(c) for c in dataset.get("classes") or ()),
                      tuple(int(s) for s in dataset.get("input_shape") or ()))


def shape_text(shape) -> str:
    """``(6, 8, 8)`` -> ``"6×8×8"``."""
    return TIMES.join(str(int(s)) for s in shape)


__all__ = ["RunContext", "run_context", "shape_text"]
