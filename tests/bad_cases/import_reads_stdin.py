# expect-problem: 3: read standard input
import torch
answer = input("model? ")
