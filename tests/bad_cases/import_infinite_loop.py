# expect-problem: 1: did not finish within
import torch

while True:
    pass
