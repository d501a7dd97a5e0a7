"""vizdl: turn real PyTorch training into teaching material."""
