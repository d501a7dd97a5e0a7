"""The MLP scenes on image inputs and own layer names: the input image instead of a 2-D boundary,
a readable subset of neurons, every number the real one (mobjects checked without rendering)."""
import numpy as np
import pytest
import torch
from torch import nn

import vizdl

pytest.importorskip("manim")


class DigitsNet(nn.Module):
    """Own names, registered out of order."""

    def __init__(self):
        super().__init__()
        self.head = nn.Linear(12, 10)
        self.act = nn.Tanh()
        self.body = nn.Linear(64, 12)
        self.flat = nn.Flatten()

    def forward(self, x):
        return self.head(self.act(self.body(self.flat(x))))


@pytest.fixture(scope="module")
def digits_run(tmp_path_factory):
    torch.manual_seed(0)
    data = vizdl.data.load("digits")
    return vizdl.train(DigitsNet(), data, epochs=1, lr=0.1, record=vizdl.RecordSpec(every=20),
                       out=tmp_path_factory.mktemp("digits") / "run", quiet=True)


def test_subset_step_keeps_the_real_numbers(digits_run):
    from vizdl.ops.backprop import backprop_at_step, shown_neurons, subset_step

    full = backprop_at_step(digits_run, 20, sample=3)
    shown = shown_neurons(full, max_neurons=4, max_outputs=4)
    assert [len(s) for s in shown] == [4, 4, 4] and full.target in shown[-1]
    np.testing.assert_array_equal(shown[0], np.sort(np.argsort(-np.abs(full.x0), kind="stable")[:4]))
    part = subset_step(full, shown)
    np.testing.assert_array_equal(part.layers[0].A, full.layers[0].A[np.ix_(shown[1], shown[0])])
    np.testing.assert_array_equal(part.layers[1].grad_A, full.layers[1].grad_A[np.ix_(shown[2], shown[1])])
    np.testing.assert_array_equal(part.dl_dxs[1], full.dl_dxs[1][shown[1]])
    assert part.loss == full.loss


def test_backprop_story_shows_the_digit_and_a_readable_subset(digits_run):
    from vizdl.anim.backprop import BackpropStory
    from vizdl.anim.training import InputPanel, input_picture

    story = BackpropStory(digits_run, step=20, sample=3, replay=2)
    assert isinstance(story.panel, InputPanel)
    assert [len(column) for column in story.diagram.neurons] == [4, 4, 4]
    texts = [m.text for m in story.headers if hasattr(m, "text")]
    assert {"4 of 64", "4 of 12", "4 of 10"} <= set(texts)
    assert [t for t in texts if t.isdigit()] == [str(c) for c in story.shown[-1]]
    image = digits_run.probe["inputs"][3, 0]
    expected = np.round(255 * (image - image.min()) / (image.max() - image.min()))
    np.testing.assert_array_equal(input_picture(digits_run.probe["inputs"][3])[..., 0], expected)
    beats = list(story.beats())
    assert len(beats) > 10


def test_training_story_on_digits(digits_run):
    from vizdl.anim.training import InputPanel, TrainingStory

    story = TrainingStory(digits_run, snapshots=3)
    assert isinstance(story.panel, InputPanel)
    assert [len(column) for column in story.diagram.neurons] == [6, 6, 10]
    assert story.title.text == "Training a 64-12-10 MLP on digits"
    assert len(list(story.beats())) == 3 + 2
