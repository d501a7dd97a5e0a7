"""
What a channel responds to
==========================

The notes' "intuition behind channels": for a query digit, the images of the probe batch
whose channels in the first feature layer respond most like the query's (cosine similarity
of the recorded channel outputs), per channel.
"""
import vizdl
from vizdl import figures
from vizdl.explain import channel_search
from vizdl.ops.layers import channel_layers
from vizdl.recipes import recipe_run

run = recipe_run("digits-cnn")
inputs, labels = run.probe["inputs"], run.probe["labels"]
search = channel_search(run, channel_layers(run)[0], inputs[0], inputs, k=4, labels=labels,
                        query_label=labels[0], exclude=0, channels=[0, 1, 2, 3])
with vizdl.styles.use("slides"):
    fig = figures.channel_similarity_grid(search)
fig
