"""Re-render the README stills of attention, feature maps, SHAP and channel similarity.

``python scripts/readme_images_interpret.py [--out docs/images]`` trains (or reopens) the
recipes' runs in ``.vizdl-cache/`` and a small ViT, then saves the figures in the slides
style at a small dpi and the scenes' last frames at 480p. Look at every image before
committing it.
"""
from __future__ import annotations

import argparse
import warnings
from pathlib import Path

DPI = 55


def figures(out: Path) -> None:
    """The Matplotlib stills."""
    import vizdl
    from vizdl import figures
    from vizdl.explain import channel_search, shap_values
    from vizdl.ops import channel_similarity_matrix
    from vizdl.recipes import recipe_run

    cnn, transformer = recipe_run("digits-cnn"), recipe_run("sequences-transformer")
    data = vizdl.data.load("digits")
    with vizdl.styles.use("slides"):
        save(figures.feature_maps(cnn, layer=["features.0", "features.2", "features.3"]), out / "fig_feature_maps.png")
        save(figures.first_layer_kernels(cnn), out / "fig_kernels.png")
        save(figures.attention_walkthrough(transformer, show="softmax"), out / "fig_attention_walkthrough.png")
        save(figures.attention_grid(transformer), out / "fig_attention_grid.png")
        title = "tiny_transformer on sequences ('contains'): blocks.0.attn, head 0, probe sample 0 during training"
        save(figures.attention_over_steps(figures.attention_steps(transformer), layer="blocks.0.attn", title=title),
             out / "fig_attention_steps.png")
        tokens = [str(int(t)) for t in transformer.probe["inputs"][0]]
        save(figures.head_view(transformer.attention()["blocks.0.attn"][0], tokens=tokens).figure,
             out / "fig_attention_head.png")
        vit = _vit_run(out.parent.parent / ".vizdl-cache" / "readme-vit")
        title = "Where the CLS token looks: vit trained on digits (1×8×8 images, 2×2 patches), probe sample 0"
        save(figures.image_attention(vit.probe["inputs"][0], vit.attention(), patch_size=2, title=title),
             out / "fig_attention_vit.png")
        result = shap_values(cnn, data.x_train[:100], data.x_test[:2])
        save(figures.shap_image_grid(result, labels=data.y_test[:2]), out / "fig_shap_digits.png")
        search = channel_search(cnn, "features.1", data.x_test[0], data.x_test, k=4, labels=data.y_test,
                                query_label=data.y_test[0], exclude=0)
        save(figures.channel_similarity_grid(search, channels=[0, 1, 2]), out / "fig_channel_similarity.png")
        matrix = channel_similarity_matrix(search.maps, "correlation")
        title = f"{search.source}\nlayer features.1: channel correlation over the test images"
        save(figures.channel_similarity_heatmap(matrix, metric="correlation", title=title).figure,
             out / "fig_channel_matrix.png")
        xor = recipe_run("xor-mlp")
        pairs = vizdl.data.load("xor")
        result = shap_values(xor, pairs.x_train[:100], pairs.x_test[:1])
        save(figures.shap_bar(result, feature_names=["x1", "x2"]).figure, out / "fig_shap_bar.png")


def _vit_run(path: Path):
    import vizdl

    if (path / "run.json").is_file():
        return vizdl.Run.open(path)
    data = vizdl.data.load("digits")
    model = vizdl.models.build("vit", data=data, d_model=16, heads=2, seed=0)
    return vizdl.train(model, data, epochs=2, lr=0.003, optimizer="adam", seed=0, quiet=True, out=path,
                       record=vizdl.RecordSpec(every=40, probe_size=8, grads=False))


def scenes(out: Path) -> None:
    """Frames of the scenes (480p): attention after its softmax beat, feature maps at the end."""
    from vizdl.anim.render import render_scene
    from vizdl.scenes import scene_class

    attention = scene_class("attention").configure(pace="preview", recipe="sequences-transformer")
    render_scene(until(attention, "softmax"), out / "scene_attention.png")
    print(out / "scene_attention.png")
    render_scene("feature_maps", out / "scene_feature_maps.png", options={"pace": "preview"})
    print(out / "scene_feature_maps.png")


def until(scene, beat: str):
    """A subclass of ``scene`` that stops after the beat called ``beat``."""
    def beats(self):
        for played in scene.beats(self):
            yield played
            if played.name == beat:
                return

    return type(scene.__name__, (scene,), {"beats": beats})


def save(figure, path: Path) -> None:
    """Save at the README's dpi and close."""
    figure.savefig(path, dpi=DPI)
    print(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default="docs/images")
    parser.add_argument("--only", choices=("figures", "scenes"))
    args = parser.parse_args()
    out = Path(args.out)
    warnings.filterwarnings("ignore")
    if args.only != "scenes":
        figures(out)
    if args.only != "figures":
        scenes(out)


if __name__ == "__main__":
    main()
