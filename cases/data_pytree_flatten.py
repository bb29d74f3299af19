import torch
import torch.utils._pytree as pytree


class DataPytreeFlatten(torch.nn.Module):
    """
    ``torch.utils._pytree.tree_flatten`` turns a nested input (a dict holding a
    tensor and a tuple of tensors) into a flat list of leaves and a spec of
    its structure; ``tree_unflatten`` rebuilds the structure around new
    leaves. Both run while tracing, on the structure only, so the graph
    holds just the per-leaf ``mul`` nodes. The exporter flattens inputs the
    same way: the placeholders are named after the paths of the leaves
    (``batch_image``, ``batch_boxes_0``, ``batch_boxes_1``).
    """

    def forward(self, batch):
        leaves, spec = pytree.tree_flatten(batch)
        scaled = pytree.tree_unflatten([leaf * (i + 1) for i, leaf in enumerate(leaves)], spec)
        return scaled["image"].sum() + scaled["boxes"][0].sum() + scaled["boxes"][1].sum()


example_args = ({"image": torch.randn(2, 3), "boxes": (torch.randn(4), torch.randn(5))},)
tags = {"python.data-structure", "python.standard-library"}
model = DataPytreeFlatten()
