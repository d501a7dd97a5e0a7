"""
SHAP: which pixels pushed the prediction
========================================

DeepLIFT-based SHAP values (shap's DeepExplainer) of the digits CNN for four probe digits,
against 32 other digits as background: red pixels raise a class's output, blue lower it, and
per class panel the attributions add up to f(x) - E[f].
"""
import vizdl
from vizdl import figures
from vizdl.explain import shap_values
from vizdl.recipes import recipe_run

run = recipe_run("digits-cnn")
inputs, labels = run.probe["inputs"], run.probe["labels"]
result = shap_values(run, inputs[4:36], inputs[:4])
with vizdl.styles.use("slides"):
    fig = figures.shap_image_grid(result, labels=labels[:4])
fig
