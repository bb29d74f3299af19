# expect-problem: 8: the case tried to write
import os
from pathlib import Path

import torch

here = Path(__file__).resolve().parent
(here.parent / "escaped_at_import.txt").write_text("written at import time")
