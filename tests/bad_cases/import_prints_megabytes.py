# expect-problem: 5: printed more than
import torch

for _ in range(3000):
    print("x" * 1000)
