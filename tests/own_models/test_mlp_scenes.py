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


def test_backprop_view_shows_the_digit_and_a_readable_subset(digits_run):
    from vizdl.views.backprop import backprop_view

    view = backprop_view(digits_run, step=20, sample=3, max_neurons=4, max_outputs=4, replay=2)
    layout, y = view.layout, int(digits_run.probe["labels"][3])
    assert [len(c.slots) for c in layout.columns] == [4, 4, 4]  # 3 neurons and the ellipsis per layer
    assert all(None in c.slots for c in layout.columns) and y in layout.columns[-1].shown
    np.testing.assert_array_equal(layout.image.grid.values, digits_run.probe["inputs"][3, 0])
    model = digits_run.model(20).double()  # own names, registered out of order: execution order still wins
    x = torch.tensor(digits_run.probe["inputs"][3:4], dtype=torch.float64)
    hidden = model.act(model.body(model.flat(x)))[0].detach().numpy()
    from vizdl.styles.theme import fmt

    assert [p.label.text for p in view.value_sets["x-1"].labels] == [fmt(hidden[j]) for j in layout.columns[1].shown]
    assert [s.name for s in view.story][:2] == ["network", "forward-0"] and len(view.story) > 10


def test_training_view_on_digits(digits_run):
    from vizdl.views.training import training_view

    view = training_view(digits_run, snapshots=3, max_neurons=6)
    assert [len(c.slots) for c in view.layout.columns[1:]] == [6, 10]  # 5 of 12 and the ellipsis; every class
    assert view.layout.image is not None
    assert view.title.text == "Training a 64-12-10 tanh MLP on digits"
