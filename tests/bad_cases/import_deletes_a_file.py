# expect-problem: 9: the case tried to delete
import os
from pathlib import Path

import torch

victim = Path(__file__).resolve().parent.parent / "victim.txt"
try:
    os.remove(victim)
except OSError:
    pass  # swallowing the refusal does not hide it
