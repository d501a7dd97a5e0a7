"""What the back-propagation picture shows: one recorded step of an MLP explained, then the replay.

Built from :func:`vizdl.ops.backprop.backprop_at_step` (every number from torch autograd)
on the layout of :mod:`vizdl.views.network`, in the notes' notation (Part I): layer
``x_i = sigma_i(A_i x_{i-1} + b_i)``, the last ``sigma`` the softmax so ``x_L`` are the class
probabilities and ``z_L = A_L x_{L-1} + b_L`` the logits, the loss ``l(x_L) = -log x_L[y]``.

The story, one step per beat: the network and the followed sample; the forward pass layer
by layer (edges show ``A_i``); the loss; for each layer from the last, ``dl/dx_i`` under its
neurons (the gradient colour, like the formula factor that produces it) and then its
edges switching to ``dl/dA_i`` (said in the caption and the legend); the update (the
``A_i`` over the edges and in the formula highlighted, one weight's arithmetic written
out); the new loss; then the recorded mini-batch steps, said to be such, replayed.

>>> from vizdl.views.backprop import update_formula
>>> update_formula(2, 3).tex
"A_{2} \\\\leftarrow A_{2} - \\\\lambda [ l'(x_{3}) A_{3}^T \\\\sigma'_{3}(A_{3} x_{2} + b_{3}) \\\\times \\\\sigma'_{2}(A_{2} x_{1} + b_{2}) x_{1}^T ]"
"""
from __future__ import annotations

import numpy as np

from vizdl.styles.theme import fmt
from vizdl.views.base import Formula, Label, Placed, Step, Story
from vizdl.views.network import (
    NetworkState,
    NetworkStory,
    activation_name,
    class_names_of,
    edge_id,
    edge_style,
    fill_scale,
    gradient_labels,
    gradient_legend,
    image_shape_of,
    mixed_legend,
    model_title,
    network_layout,
    neuron_values,
    sub,
    weight_legend,
)
from vizdl.views.training import (
    drawn_scale,
    epoch_at,
    replay_styles,
    run_curve,
    snapshot_state,
)

REPLAY = 6
#: Vertical distance between neurons: room for the gradient labels under them.
NEURON_GAP = 1.3
RADIUS = 0.45
_TEX_NAMES = {"relu": r"\mathrm{ReLU}", "tanh": r"\tanh", "sigmoid": r"\mathrm{sigmoid}", "softmax": r"\mathrm{softmax}",
              "leaky_relu": r"\mathrm{leaky\,ReLU}", "elu": r"\mathrm{ELU}", "gelu": r"\mathrm{GELU}",
              "identity": r"\mathrm{id}", "silu": r"\mathrm{swish}", "softplus": r"\mathrm{softplus}"}


def _pre(j: int) -> str:
    return f"A_{{{j}}} x_{{{j - 1}}} + b_{{{j}}}"


def _chain(i: int, L: int) -> str:
    """``l'(x_L) A_L^T sigma'_L(...) ... A_{i+1}^T sigma'_{i+1}(...)`` = ``dl/dx_i`` in the notes' form."""
    return f"l'(x_{{{L}}}) " + " ".join(rf"A_{{{j}}}^T \sigma'_{{{j}}}({_pre(j)})" for j in range(L, i, -1))


def update_formula(i: int, L: int) -> Formula:
    """The notes' update of ``A_i`` in an ``L``-layer MLP, each factor with the role of its numbers.

    ``dl/dx_i``'s factors (``l'(x_L)`` and the chain down to layer ``i``) are in the gradient
    role like the ``dl/dx_i`` labels, ``x_{i-1}^T`` in the value role like the ringed
    ``x_{i-1}`` neurons.
    """
    if not 1 <= i <= L:
        raise ValueError(f"i: layer {i} is not in 1..{L}")
    head = rf"A_{{{i}}} \leftarrow A_{{{i}}} - \lambda"
    x_t = (f"x_{{{i - 1}}}^T", "value")
    if i == L:
        return Formula.of(head, (f"l'(x_{{{L}}})", "gradient"), rf"\sigma'_{{{L}}}({_pre(L)})", x_t)
    return Formula.of(head, "[", (_chain(i, L), "gradient"), rf"\times \sigma'_{{{i}}}({_pre(i)})", x_t, "]")


def forward_formula(i: int, activation: str, L: int) -> Formula:
    """``x_i = sigma_i(A_i x_{i-1} + b_i)`` with the name of ``sigma_i`` (the softmax of ``z_L`` last)."""
    if i == L:
        return Formula.of(rf"x_{{{L}}} = \sigma_{{{L}}}(A_{{{L}}} x_{{{L - 1}}} + b_{{{L}}}) = "
                          rf"\mathrm{{softmax}}(z_{{{L}}})")
    name = _TEX_NAMES.get(activation, rf"\mathrm{{{activation}}}")
    return Formula.of(rf"x_{{{i}}} = \sigma_{{{i}}}({_pre(i)}), \quad \sigma_{{{i}}} = {name}")


def _vector(values, decimals=2) -> str:
    return "(" + ", ".join(fmt(v, decimals, tex=True) for v in values) + ")"


def _formulas(step, after, layout, image) -> dict:
    L, y = len(step.layers), step.target
    p_y = step.probabilities[y]
    loss = fmt(step.loss, 3, tex=True)
    formulas = {
        "input": Formula.of(rf"x_0 \in \mathbb{{R}}^{{{step.x0.size}}}: \mathrm{{the\ image's\ pixels}}") if image
        else Formula.of(rf"x_0 = {_vector(step.x0)}"),
        "loss": Formula.of(rf"l(x_{{{L}}}) = -\log x_{{{L}}}^{{({y})}} = -\log {fmt(p_y, 3, tex=True)} = {loss}"),
        f"dx-{L}": Formula.of((rf"\frac{{\partial l}}{{\partial x_{{{L}}}}} = l'(x_{{{L}}})", "gradient"),
                              rf"= -\frac{{1}}{{x_{{{L}}}^{{({y})}}}} =",
                              (fmt(step.layers[-1].dl_dx[y], 2, tex=True), "gradient"),
                              rf"\mathrm{{\ at\ }} y = {y},\ 0 \mathrm{{\ elsewhere}}"),
        "softmax": _softmax_formula(step),
        "update": Formula.of(r"A_i \leftarrow A_i - \lambda", (r"\frac{\partial l}{\partial A_i}", "gradient"),
                             rf",\quad \lambda = {fmt(step.lr, 4, tex=True)}"),
        "after": Formula.of(rf"l(x_{{{L}}}):\ {loss} \rightarrow {fmt(after.loss, 3, tex=True)}"),
    }
    for i, layer in enumerate(step.layers, start=1):
        formulas[f"forward-{i}"] = forward_formula(i, layer.activation, L)
        formulas[f"update-{i}"] = update_formula(i, L)
        if i < L:
            formulas[f"dx-{i}"] = Formula.of((rf"\frac{{\partial l}}{{\partial x_{{{i}}}}}", "gradient"), "=",
                                             (rf"\frac{{\partial l}}{{\partial x_{{{i + 1}}}}}", "gradient"),
                                             rf"A_{{{i + 1}}}^T \sigma'_{{{i + 1}}}({_pre(i + 1)})")
    return formulas


def _softmax_formula(step) -> Formula:
    """``l'(x_L) sigma'_L(z_L) = x_L - e_y``: the softmax's Jacobian, not 1 (numbers for up to 4 classes)."""
    L = len(step.layers)
    delta = step.layers[-1].delta
    tail = f"= {_vector(delta)}" if delta.size <= 4 else ""
    return Formula.of((f"l'(x_{{{L}}})", "gradient"), rf"\sigma'_{{{L}}}(z_{{{L}}}) = x_{{{L}}} - e_y", tail)


def _example(step, layout) -> tuple:
    """The drawn weight that changes most: ``(edge id, layer, row, col)``."""
    best = None
    for layer in step.layers:
        change = np.abs(step.lr * layer.grad_A)
        for e in layout.layer_edges(layer.index):
            r, c = int(e.target.split(".")[1]), int(e.source.split(".")[1])
            if best is None or change[r, c] > best[0]:
                best = (change[r, c], edge_id(e), layer.index, r, c)
    return best[1:]


def _example_formula(step, layer: int, r: int, c: int) -> Formula:
    terms = step.layers[layer - 1]
    return Formula.of(rf"A_{{{layer}}}^{{({r},{c})}}:\ {fmt(terms.A[r, c], 3, tex=True)} - "
                      rf"{fmt(step.lr, 4, tex=True)} \cdot", (_paren(fmt(terms.grad_A[r, c], 3, tex=True)), "gradient"),
                      f"= {fmt(terms.A_new[r, c], 3, tex=True)}")


def _paren(text: str) -> str:
    return f"({text})" if text.startswith("-") else text


def _minibatch_formula(batch) -> Formula:
    return Formula.of(r"\theta \leftarrow \theta - \lambda \frac{1}{b} \sum_{k=1}^{b} \nabla_\theta l(x_k, f_\theta(x_k))",
                      rf",\quad b = {batch}")


def backprop_view(run, *, step=None, sample: int = 0, replay: int = REPLAY, max_neurons: int = 8,
                  max_outputs: int = 10, aspect: float | None = None) -> NetworkStory:
    """The back-propagation story of ``run`` at recorded ``step`` (the first by default) on probe ``sample``.

    Parameters
    ----------
    run : vizdl.Run
        A run of an MLP: 2-D points (the decision regions are shown) or images (the image
        is shown left of ``x_0`` and a readable subset of each layer).
    step : int, optional
        The recorded step explained.
    sample : int
        The probe input followed.
    replay : int
        How many recorded steps are replayed at the end (evenly spread; 0: none).
    max_neurons : int
        Most neurons drawn per hidden layer (and input).
    max_outputs : int
        Most output neurons drawn (the true class always is).
    aspect : float, optional
        Width / height of the area the network will fill (see :func:`~vizdl.views.network.network_layout`).
    """
    from vizdl.ops.backprop import (
        backprop_at_step,
        mlp_backprop,
        optimizer_text,
        run_mlp_parameters,
    )
    from vizdl.ops.curves import spread
    from vizdl.ops.network import network_at_step
    from vizdl.views.boundary import is_2d, mlp_regions, run_frame

    step = run.steps[0] if step is None else run.require_step(step)
    bp = backprop_at_step(run, step, sample=sample)
    acts = [layer.activation for layer in bp.layers[:-1]]
    after = mlp_backprop([l.A_new for l in bp.layers], [l.b_new for l in bp.layers], bp.x0, bp.target,
                         activations=acts, lr=bp.lr)
    data = network_at_step(run, step, sample=sample, max_neurons=max_neurons, max_outputs=max_outputs,
                           include={len(bp.layers): [bp.target]})
    image = image_shape_of(run)
    layout = network_layout(data, image_shape=image, target=bp.target, neuron_gap=NEURON_GAP, radius=RADIUS,
                            class_names=class_names_of(run, data.sizes[-1]), aspect=aspect)
    replayed = [(s, *run_mlp_parameters(run, s)) for s in (spread(run.steps, replay) if replay else [])]
    L = len(bp.layers)
    weight_sets = [(l.index, l.A) for l in bp.layers] + [(l.index, l.A_new) for l in bp.layers]
    scales = {"weights": drawn_scale(layout, weight_sets, f"weight Aᵢ at step {step}"),
              "gradients": drawn_scale(layout, [(l.index, l.grad_A) for l in bp.layers], "gradient ∂l/∂Aᵢ")}
    if replayed:
        scales["replay"] = drawn_scale(layout, [(i, A) for _, weights, _, _ in replayed for i, A in enumerate(weights, 1)],
                                       "weight Aᵢ, one scale for the replay")
    from vizdl.ops.network import forward_values

    forwards = [bp.values, after.values] + [forward_values(w, b, a, bp.x0) for _, w, b, a in replayed]
    fills = [fill_scale([f[i] for f in forwards]) for i in range(L + 1)]
    edges, values, grads = {}, {}, {}
    for layer in bp.layers:
        i = layer.index
        edges[f"w-{i}"] = edge_style(layout, i, layer.A, layer.x_in, scale=scales["weights"])
        edges[f"g-{i}"] = edge_style(layout, i, layer.grad_A, scale=scales["gradients"], meaning="gradients")
        edges[f"new-{i}"] = edge_style(layout, i, layer.A_new, after.values[i - 1], scale=scales["weights"])
        grads[f"g-{i}"] = gradient_labels(layout, i, layer.dl_dx)
    for i in range(L + 1):
        values[f"x-{i}"] = neuron_values(layout, i, bp.values[i], scale=fills[i])
        values[f"new-{i}"] = neuron_values(layout, i, after.values[i], scale=fills[i])
    frame = run_frame(run, sample=sample) if is_2d(run) else None
    s_edges, s_values, regions = replay_styles(layout, replayed, bp.x0, scales.get("replay"), fills, frame=frame)
    edges.update(s_edges)
    values.update(s_values)
    if frame is not None:
        regions["before"] = mlp_regions(frame, [l.A for l in bp.layers], [l.b for l in bp.layers], acts)
        regions["after"] = mlp_regions(frame, [l.A_new for l in bp.layers], [l.b_new for l in bp.layers], acts)
    formulas = _formulas(bp, after, layout, image)
    example_edge, ex_layer, ex_r, ex_c = _example(bp, layout)
    formulas["example"] = _example_formula(bp, ex_layer, ex_r, ex_c)
    hp = run.meta.get("hparams", {})
    formulas["minibatch"] = _minibatch_formula(hp.get("batch_size", "b"))
    example = _example_label(layout, example_edge, ex_layer, ex_r, ex_c)
    hidden = acts[0] if acts else ""
    arch = model_title(data.sizes, hidden, run.dataset_name)
    title = Label(f"Back-propagation: {arch}, step {step}, probe sample {sample}", size="title")
    context = {"arch": arch, "step": step, "sample": sample, "image": image, "optimizer": optimizer_text(hp),
               "batch": hp.get("batch_size"), "run": run, "curve": run_curve(run)}
    steps, states = _story(bp, after, replayed, context, frame is not None, example_edge, (ex_layer, ex_r, ex_c))
    legends = {"weights": weight_legend(), "gradients": gradient_legend(), "mixed": mixed_legend(),
               "replay": weight_legend()}
    bars = {"weights": (scales["weights"],), "gradients": (scales["gradients"],),
            "mixed": (scales["gradients"], scales["weights"]), "replay": (scales.get("replay"),)}
    return NetworkStory(title, layout, edges, values, grads, formulas, legends,
                        {k: v for k, v in bars.items() if None not in v}, frame, regions,
                        context["curve"], example, states, steps,
                        {"backprop": bp, "after": after, "replayed": replayed})


def _example_label(layout, edge: str, layer: int, r: int, c: int) -> Placed:
    source, target = edge.removeprefix("edge-").split("-")
    a, b = layout.node(source), layout.node(target)
    return Placed("example-label", 0.5 * (a.x + b.x), 0.5 * (a.y + b.y) + 0.3,
                  Label(f"{sub('A', layer)}({r},{c})", "ink", size="small"))


def _story(bp, after, replayed, ctx, regions: bool, example_edge, example) -> tuple:
    """The steps (captions) and the state after each."""
    L, y = len(bp.layers), bp.target
    steps, states = [], []

    def add(name, caption, state, reveal=(), numbers=0):
        steps.append(Step(name, caption, tuple(reveal), numbers))
        states.append(state)

    input_text = (f"an image of class {y}" if ctx["image"] else f"x₀ = ({', '.join(fmt(v) for v in bp.x0)}) of class {y}")
    state = NetworkState(regions="before" if regions else None, marker=ctx["step"])
    add("network", f"A {ctx['arch']} with the weights of recorded step {ctx['step']}. We follow probe sample "
                   f"{ctx['sample']}, {input_text}, through one step of back-propagation.", state, ("network",))
    state = state.but(values={0: "x-0"}, formulas=("input",))
    add("forward-0", "Forward pass: the input x₀ enters the network.", state, ("x-0",), min(bp.x0.size, 8))
    for layer in bp.layers:
        i = layer.index
        state = state.but(edges={i: f"w-{i}"}, values={i: f"x-{i}"}, formulas=(f"forward-{i}",))
        add(f"forward-{i}", _forward_caption(bp, i), state, (f"w-{i}", f"x-{i}"), min(layer.x_out.size, 8))
    state = state.but(formulas=("loss",))
    add("loss", f"Loss: the cross-entropy of the true class y = {y}, l(x{sub('', L)}) = −log x{sub('', L)}[y] = "
                f"−log {fmt(bp.probabilities[y], 3)} = {fmt(bp.loss, 3)}.", state, ("loss",), 2)
    for layer in reversed(bp.layers):
        i = layer.index
        state = state.but(grads={i: f"g-{i}"}, formulas=(f"dx-{i}",), ring=None)
        add(f"backward-{i}", _backward_caption(bp, i), state, (f"g-{i}",), min(layer.dl_dx.size, 8))
        lines = (f"update-{i}", "softmax") if i == L else (f"update-{i}",)
        state = state.but(edges={i: f"g-{i}"}, legend="gradients" if i == 1 else "mixed", formulas=lines, ring=i - 1)
        add(f"gradient-{i}", _gradient_caption(i, L), state, (f"g-{i}",), 2 if i == L and bp.probabilities.size <= 4
            else 0)
    state = state.but(edges={i: f"new-{i}" for i in range(1, L + 1)}, legend="weights", ring=None,
                      formulas=("update", "example"), example=example_edge, weights_role="focus")
    layer, r, c = example
    add("update", f"Update with λ = {fmt(bp.lr, 4)}: every weight moves against its gradient; edges show the new "
                  f"weights. The largest change: A{sub('', layer)}({r},{c}) from {fmt(bp.layers[layer - 1].A[r, c], 3)} "
                  f"to {fmt(bp.layers[layer - 1].A_new[r, c], 3)}.", state, ("update",), 3)
    change = "falls" if after.loss < bp.loss else "rises"
    state = state.but(values={i: f"new-{i}" for i in range(L + 1)}, grads=_none(L), formulas=("after",),
                      example=None, weights_role="muted", regions="after" if regions else None)
    add("after", f"Forward again with the new weights: the loss on this sample {change} from {fmt(bp.loss, 3)} "
                 f"to {fmt(after.loss, 3)}.", state, ("after",), 2 + min(after.values[-1].size, 8))
    if replayed:
        _replay(add, bp, replayed, ctx, regions, L)
    return Story(tuple(steps)), tuple(states)


def _none(L):
    return {i: None for i in range(L + 1)}


def _forward_caption(bp, i: int) -> str:
    L, layer = len(bp.layers), bp.layers[i - 1]
    if i == L:
        text = (f"Last layer: the logits z{sub('', L)} = A{sub('', L)}x{sub('', L - 1)} + b{sub('', L)} go through "
                f"the softmax σ{sub('', L)}: x{sub('', L)} are the class probabilities")
        if layer.pre.size <= 4:
            text += f", z{sub('', L)} = ({', '.join(fmt(v) for v in layer.pre)})"
        return text + "."
    text = (f"Layer {i}: x{sub('', i)} = {activation_name(layer.activation)}(A{sub('', i)}x{sub('', i - 1)} + "
            f"b{sub('', i)}).")
    if i == 1:
        text += " Edges show the weights A₁: red positive, blue negative, faint where x₀ is small."
    return text


def _backward_caption(bp, i: int) -> str:
    L = len(bp.layers)
    if i == L:
        y = bp.target
        return (f"Backward pass, from the loss: l′(x{sub('', L)}) = ∂l/∂x{sub('', L)} is −1/x{sub('', L)}[y] = "
                f"{fmt(bp.layers[-1].dl_dx[y])} for the true class and 0 for the others (orange, under "
                f"x{sub('', L)}).")
    return (f"Back-propagate: ∂l/∂x{sub('', i)} = ∂l/∂x{sub('', i + 1)} A{sub('', i + 1)}ᵀ σ′{sub('', i + 1)}"
            f"(z{sub('', i + 1)}), written under x{sub('', i)}; it reuses the orange numbers of layer {i + 1}.")


def _gradient_caption(i: int, L: int) -> str:
    grad = f"∂l/∂A{sub('', i)}"
    if i == L:
        return (f"Edges of layer {L} now show the gradient {grad} = l′(x{sub('', L)}) σ′{sub('', L)}(z{sub('', L)}) "
                f"x{sub('', L - 1)}ᵀ (σ′{sub('', L)}: the softmax's Jacobian): red = this weight will decrease, "
                f"blue = it will increase.")
    return (f"Edges of layer {i} now show {grad} = ∂l/∂x{sub('', i)} σ′{sub('', i)}(z{sub('', i)}) "
            f"x{sub('', i - 1)}ᵀ (x{sub('', i - 1)} ringed green): red = decrease, blue = increase.")


def _replay(add, bp, replayed, ctx, regions: bool, L: int) -> None:
    steps = [s for s, *_ in replayed]
    state = snapshot_state(steps[0], L, regions=regions, formulas=("minibatch",), legend="replay")
    add("mini-batch", f"Training itself did not update on one sample: it used {ctx['optimizer']} on batches of "
                      f"{ctx['batch']}, averaging the gradient over each batch. Now its recorded steps {steps[0]} to "
                      f"{steps[-1]}, edges on one colour scale for all of them.", state, ("minibatch",), 2)
    curve, run = ctx["curve"], ctx["run"]
    for s in steps[1:]:
        epoch = epoch_at(run, s)
        loss = f", loss {fmt(curve.at(s), 3)} (centred mean)" if curve is not None else ""
        add(f"replay-{s}", f"Recorded step {s}" + (f", epoch {epoch}" if epoch is not None else "") + loss + ".",
            snapshot_state(s, L, regions=regions, formulas=("minibatch",), legend="replay"), (f"s{s}",), 1)


__all__ = ["NEURON_GAP", "REPLAY", "backprop_view", "forward_formula", "update_formula"]
