# expect-problem: 6: RecursionError while loading
import torch


def down(n):
    return down(n + 1)


down(0)
