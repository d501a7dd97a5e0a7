"""
CNN architectures, block by block
=================================

Model 2 and Model 3 of the notes on CIFAR-10 images (3x32x32), drawn from the models
themselves: one volume per block (convolution or pooling with what follows it), its shape
under it, in the order forward runs the layers.
"""
import vizdl
from vizdl import figures

with vizdl.styles.use("slides"):
    ax = figures.architecture_diagram(vizdl.models.build("cifar_cnn"), input_shape=(3, 32, 32))
ax.figure

# %%
# Model 3: six convolutions with BatchNorm, three poolings, Dropout, three linear layers.
with vizdl.styles.use("slides"):
    ax = figures.architecture_diagram(vizdl.models.build("cifar_wide"), input_shape=(3, 32, 32))
ax.figure
